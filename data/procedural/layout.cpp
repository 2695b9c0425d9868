// Draws a street layout into a class map, back to front: sky and terrain, the road and sidewalk
// trapezoids converging on the vanishing point, facade blocks along the outer sidewalk edges,
// then cars, people, poles and trees sorted far to near so nearer objects occlude.
#include "data/procedural/layout.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "data/procedural/palette.hpp"
#include "engine/core/check.hpp"

namespace revgan::data::procedural {

namespace {

double uni(Generator& g, double lo, double hi) { return lo + (hi - lo) * g.uniform(); }

class Canvas {
 public:
  explicit Canvas(Layout& layout) : l_(layout) {}

  uint16_t add_instance(SceneClass cls, std::array<float, 3> rgb, float top, float bottom, float depth) {
    Instance inst;
    inst.cls = static_cast<uint8_t>(cls);
    std::copy(rgb.begin(), rgb.end(), inst.rgb);
    inst.top = top;
    inst.bottom = bottom;
    inst.depth = depth;
    l_.instances.push_back(inst);
    return static_cast<uint16_t>(l_.instances.size() - 1);
  }
  void set(int64_t x, int64_t y, SceneClass cls, uint16_t inst) {
    const auto p = static_cast<std::size_t>(y * l_.width + x);
    l_.classes[p] = static_cast<uint8_t>(cls);
    l_.instance[p] = inst;
  }
  // Pixels whose centres fall in [x0, x1) x [y0, y1); thin shapes keep at least one pixel so far
  // poles do not vanish.
  void rect(double x0, double y0, double x1, double y1, SceneClass cls, uint16_t inst) {
    widen(x0, x1);
    widen(y0, y1);
    const int64_t xs = std::max<int64_t>(0, static_cast<int64_t>(std::ceil(x0 - 0.5)));
    const int64_t xe = std::min<int64_t>(l_.width, static_cast<int64_t>(std::ceil(x1 - 0.5)));
    const int64_t ys = std::max<int64_t>(0, static_cast<int64_t>(std::ceil(y0 - 0.5)));
    const int64_t ye = std::min<int64_t>(l_.height, static_cast<int64_t>(std::ceil(y1 - 0.5)));
    for (int64_t y = ys; y < ye; ++y)
      for (int64_t x = xs; x < xe; ++x) set(x, y, cls, inst);
  }
  void ellipse(double cx, double cy, double rx, double ry, SceneClass cls, uint16_t inst) {
    rx = std::max(rx, 0.5);
    ry = std::max(ry, 0.5);
    const int64_t xs = std::max<int64_t>(0, static_cast<int64_t>(std::floor(cx - rx)));
    const int64_t xe = std::min<int64_t>(l_.width, static_cast<int64_t>(std::ceil(cx + rx)) + 1);
    const int64_t ys = std::max<int64_t>(0, static_cast<int64_t>(std::floor(cy - ry)));
    const int64_t ye = std::min<int64_t>(l_.height, static_cast<int64_t>(std::ceil(cy + ry)) + 1);
    for (int64_t y = ys; y < ye; ++y)
      for (int64_t x = xs; x < xe; ++x) {
        const double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;
        if (dx * dx + dy * dy <= 1.0) set(x, y, cls, inst);
      }
  }

 private:
  static void widen(double& a, double& b) {
    if (b - a >= 1.0) return;
    const double mid = std::floor((a + b) * 0.5) + 0.5;
    a = mid - 0.5;
    b = mid + 0.5;
  }
  Layout& l_;
};

std::array<float, 3> jitter(Generator& g, std::array<float, 3> c, double amount) {
  const double k = uni(g, 1.0 - amount, 1.0 + amount);
  for (float& v : c) v = static_cast<float>(std::clamp(v * k + uni(g, -0.03, 0.03), 0.0, 1.0));
  return c;
}

template <std::size_t N>
std::array<float, 3> pick(Generator& g, const std::array<std::array<float, 3>, N>& options) {
  return options[g.below(N)];
}

constexpr std::array<std::array<float, 3>, 5> facade_colours{
    {{0.76f, 0.70f, 0.55f}, {0.60f, 0.30f, 0.22f}, {0.55f, 0.55f, 0.55f}, {0.80f, 0.78f, 0.74f}, {0.45f, 0.50f, 0.58f}}};
constexpr std::array<std::array<float, 3>, 7> car_colours{{{0.70f, 0.10f, 0.10f},
                                                           {0.10f, 0.20f, 0.60f},
                                                           {0.86f, 0.86f, 0.86f},
                                                           {0.10f, 0.10f, 0.12f},
                                                           {0.60f, 0.60f, 0.62f},
                                                           {0.85f, 0.70f, 0.10f},
                                                           {0.15f, 0.40f, 0.20f}}};

struct Object {
  enum Kind { car, person, pole, tree } kind;
  double depth;  // t of the ground contact
  double x;      // ground contact column
  bool flag;     // pole: carries a sign
};

// Column where the ground line at depth t meets a bottom-row position.
double at_depth(const Layout& l, double bottom_x, double t) { return l.vanish_x + t * (bottom_x - l.vanish_x); }

void draw_ground(Layout& l, Canvas& canvas) {
  for (int64_t y = 0; y < l.height; ++y) {
    const double yc = y + 0.5;
    const double t = l.depth_of_row(yc);
    const double road_l = at_depth(l, l.road_center - l.road_half, t), road_r = at_depth(l, l.road_center + l.road_half, t);
    const double out_l = at_depth(l, l.outer_left, t), out_r = at_depth(l, l.outer_right, t);
    for (int64_t x = 0; x < l.width; ++x) {
      const double xc = x + 0.5;
      SceneClass cls = SceneClass::terrain;
      if (yc < l.horizon) cls = SceneClass::sky;
      else if (xc >= road_l && xc < road_r) cls = SceneClass::road;
      else if (xc >= out_l && xc < out_r) cls = SceneClass::sidewalk;
      canvas.set(x, y, cls, 0);
    }
  }
}

// Facade blocks between depth breakpoints; gaps between blocks show sky and terrain and may
// hold a tree (returned as objects to draw later).
void draw_facades(Layout& l, Canvas& canvas, Generator& gen, std::vector<Object>& objects) {
  for (int side = 0; side < 2; ++side) {
    const double edge = side == 0 ? l.outer_left : l.outer_right;
    const double max_depth = side == 0 ? l.vanish_x / (l.vanish_x - edge)
                                       : (static_cast<double>(l.width) - l.vanish_x) / (edge - l.vanish_x);
    double hi = max_depth + 0.05;
    while (hi > 0.06) {
      const double lo = hi * uni(gen, 0.5, 0.8);
      if (gen.uniform() < 0.8) {
        const double metres = uni(gen, 9.0, 30.0);
        const uint16_t inst =
            canvas.add_instance(SceneClass::building, jitter(gen, pick(gen, facade_colours), 0.12), 0, 0, 0);
        for (int64_t x = 0; x < l.width; ++x) {
          const double s = l.facade_depth(x + 0.5);
          if ((side == 0) != (x + 0.5 < l.vanish_x) || s <= lo || s > hi) continue;
          const double bottom = l.horizon + s * (static_cast<double>(l.height) - l.horizon);
          canvas.rect(x, bottom - s * l.px_per_m * metres, x + 1, bottom, SceneClass::building, inst);
        }
      } else if (gen.uniform() < 0.7) {
        const double s = 0.5 * (lo + hi);
        objects.push_back({Object::tree, s, at_depth(l, edge, s), false});
      }
      hi = lo;
    }
  }
}

void draw_object(Layout& l, Canvas& canvas, Generator& gen, const Object& o) {
  const double m = o.depth * l.px_per_m;  // pixels per metre at this depth
  const double y = l.horizon + o.depth * (static_cast<double>(l.height) - l.horizon);
  const auto f = [](double v) { return static_cast<float>(v); };
  switch (o.kind) {
    case Object::car: {
      const double w = m * uni(gen, 1.7, 2.0), h = m * uni(gen, 1.4, 1.7);
      const uint16_t inst = canvas.add_instance(SceneClass::car, jitter(gen, pick(gen, car_colours), 0.1), f(y - h),
                                                f(y), f(o.depth));
      canvas.rect(o.x - w / 2, y - 0.6 * h, o.x + w / 2, y, SceneClass::car, inst);
      canvas.rect(o.x - 0.38 * w, y - h, o.x + 0.38 * w, y - 0.6 * h, SceneClass::car, inst);
      break;
    }
    case Object::person: {
      const double h = m * uni(gen, 1.6, 1.9), w = h * 0.26;
      const std::array<float, 3> shirt{f(uni(gen, 0.1, 0.9)), f(uni(gen, 0.1, 0.9)), f(uni(gen, 0.1, 0.9))};
      const uint16_t inst = canvas.add_instance(SceneClass::person, shirt, f(y - h), f(y), f(o.depth));
      canvas.rect(o.x - w / 2, y - 0.86 * h, o.x + w / 2, y, SceneClass::person, inst);
      canvas.ellipse(o.x, y - 0.93 * h, 0.08 * h, 0.08 * h, SceneClass::person, inst);
      break;
    }
    case Object::pole: {
      const double h = m * uni(gen, 5.0, 8.0), w = m * 0.2;
      const uint16_t inst = canvas.add_instance(SceneClass::pole, {0.5f, 0.5f, 0.52f}, f(y - h), f(y), f(o.depth));
      canvas.rect(o.x - w / 2, y - h, o.x + w / 2, y, SceneClass::pole, inst);
      if (o.flag) {
        const std::array<float, 3> colour = gen.uniform() < 0.5 ? std::array<float, 3>{0.85f, 0.75f, 0.10f}
                                                                : std::array<float, 3>{0.15f, 0.30f, 0.75f};
        const uint16_t sign = canvas.add_instance(SceneClass::traffic_sign, colour, f(y - h), f(y), f(o.depth));
        canvas.rect(o.x - 0.4 * m, y - h - 0.2 * m, o.x + 0.4 * m, y - h + 0.6 * m, SceneClass::traffic_sign, sign);
      }
      break;
    }
    case Object::tree: {
      const double radius = m * uni(gen, 1.5, 2.6), trunk = m * 0.35;
      const uint16_t inst = canvas.add_instance(SceneClass::vegetation,
                                                jitter(gen, {0.20f, 0.42f, 0.14f}, 0.2), f(y - 4.5 * m - radius), f(y),
                                                f(o.depth));
      canvas.rect(o.x - trunk / 2, y - 3.0 * m, o.x + trunk / 2, y, SceneClass::vegetation, inst);
      canvas.ellipse(o.x, y - 3.0 * m - radius * 0.8, radius, radius * uni(gen, 0.9, 1.2), SceneClass::vegetation, inst);
      break;
    }
  }
}

}  // namespace

double Layout::facade_depth(double x) const {
  return x < vanish_x ? (vanish_x - x) / (vanish_x - outer_left) : (x - vanish_x) / (outer_right - vanish_x);
}

Layout make_layout(Generator& gen, int64_t width, int64_t height) {
  REVGAN_CHECK(width >= 64 && width <= 256 && height >= 64 && height <= 256,
               "generate_scene: size {}x{} outside 64..256", width, height);
  Layout l;
  l.width = width;
  l.height = height;
  const double w = static_cast<double>(width), h = static_cast<double>(height);
  l.horizon = h * uni(gen, 0.36, 0.5);
  l.vanish_x = w * uni(gen, 0.38, 0.62);
  l.road_center = w * uni(gen, 0.42, 0.58);
  l.road_half = w * uni(gen, 0.32, 0.48);
  const double sidewalk = w * uni(gen, 0.14, 0.28);
  l.outer_left = l.road_center - l.road_half - sidewalk;
  l.outer_right = l.road_center + l.road_half + sidewalk;
  l.px_per_m = l.road_half / 5.25;  // three 3.5 m lanes
  l.classes.assign(static_cast<std::size_t>(width * height), 0);
  l.instance.assign(l.classes.size(), 0);
  l.instances.emplace_back();  // index 0: no object

  Canvas canvas(l);
  draw_ground(l, canvas);
  std::vector<Object> objects;
  draw_facades(l, canvas, gen, objects);

  const int64_t cars = 1 + static_cast<int64_t>(gen.below(5));
  for (int64_t i = 0; i < cars; ++i) {
    const double t = uni(gen, 0.18, 1.05), lane = uni(gen, -0.75, 0.75);
    objects.push_back({Object::car, t, at_depth(l, l.road_center + lane * l.road_half, t), false});
  }
  // People, poles and trees stand on a sidewalk: `across` runs from the outer edge (0) to the curb (1).
  const auto on_sidewalk = [&](Object::Kind kind, double t, double across, bool flag) {
    const bool left = gen.uniform() < 0.5;
    const double outer = left ? l.outer_left : l.outer_right;
    const double curb = left ? l.road_center - l.road_half : l.road_center + l.road_half;
    objects.push_back({kind, t, at_depth(l, outer + across * (curb - outer), t), flag});
  };
  for (int64_t i = 0, n = static_cast<int64_t>(gen.below(5)); i < n; ++i)
    on_sidewalk(Object::person, uni(gen, 0.2, 1.0), uni(gen, 0.1, 0.9), false);
  for (int64_t i = 0, n = static_cast<int64_t>(gen.below(4)); i < n; ++i)
    on_sidewalk(Object::pole, uni(gen, 0.15, 1.0), 0.88, gen.uniform() < 0.5);
  for (int64_t i = 0, n = static_cast<int64_t>(gen.below(3)); i < n; ++i)
    on_sidewalk(Object::tree, uni(gen, 0.2, 0.9), 0.12, false);

  std::stable_sort(objects.begin(), objects.end(), [](const Object& a, const Object& b) { return a.depth < b.depth; });
  for (const Object& o : objects) draw_object(l, canvas, gen, o);
  return l;
}

}  // namespace revgan::data::procedural
