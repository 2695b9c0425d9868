// Renders the "photo" of a layout: per-class colours and textures (value noise, facade
// windows, lane dashes, paving joints, clothing bands), a lighting gradient, sensor noise and
// a slight blur. Everything is a function of the layout and the render generator.
#include <algorithm>
#include <cmath>

#include "data/procedural/layout.hpp"
#include "data/procedural/palette.hpp"
#include "data/procedural/scene.hpp"
#include "data/seed.hpp"

namespace revgan::data::procedural {

namespace {

double uni(Generator& g, double lo, double hi) { return lo + (hi - lo) * g.uniform(); }

double lattice(int64_t ix, int64_t iy, uint64_t seed) {
  const uint64_t h = mix64(seed ^ (static_cast<uint64_t>(ix) * 0x9E3779B97F4A7C15ull) ^
                           (static_cast<uint64_t>(iy) * 0xC2B2AE3D27D4EB4Full));
  return static_cast<double>(h >> 40) * 0x1.0p-24;
}

double value_noise(double x, double y, uint64_t seed) {
  const double fx = std::floor(x), fy = std::floor(y);
  const auto ix = static_cast<int64_t>(fx), iy = static_cast<int64_t>(fy);
  const double u = x - fx, v = y - fy;
  const double su = u * u * (3 - 2 * u), sv = v * v * (3 - 2 * v);
  const double a = lattice(ix, iy, seed), b = lattice(ix + 1, iy, seed);
  const double c = lattice(ix, iy + 1, seed), d = lattice(ix + 1, iy + 1, seed);
  return (a + (b - a) * su) * (1 - sv) + (c + (d - c) * su) * sv;
}

// Three octaves, in [0, 1).
double fbm(double x, double y, uint64_t seed) {
  return (4 * value_noise(x, y, seed) + 2 * value_noise(2 * x, 2 * y, seed + 1) +
          value_noise(4 * x, 4 * y, seed + 2)) / 7.0;
}

double frac(double v) { return v - std::floor(v); }

struct Rgb {
  double r, g, b;
  Rgb operator*(double k) const { return {r * k, g * k, b * k}; }
};
Rgb of(const Instance& inst) { return {inst.rgb[0], inst.rgb[1], inst.rgb[2]}; }
Rgb mix(Rgb a, Rgb b, double t) { return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t}; }

// Distances along the street, in metres, from the depth t (distance is proportional to 1/t).
constexpr double near_distance = 6.0;

Rgb shade(const Layout& l, int64_t px, int64_t py, uint64_t seed) {
  const double x = px + 0.5, y = py + 0.5;
  const auto p = static_cast<std::size_t>(py * l.width + px);
  const Instance& inst = l.instances[l.instance[p]];
  const double h = static_cast<double>(l.height), w = static_cast<double>(l.width);
  const double fine = fbm(x / 1.5, y / 1.5, seed + 10);
  switch (static_cast<SceneClass>(l.classes[p])) {
    case SceneClass::sky: {
      const Rgb base = mix({0.30, 0.50, 0.85}, {0.78, 0.86, 0.95}, std::clamp(y / l.horizon, 0.0, 1.0));
      const double cloud = fbm(x / w * 4, y / h * 9, seed + 20);
      return mix(base, {0.97, 0.97, 0.98}, std::clamp((cloud - 0.5) * 2.5, 0.0, 1.0));
    }
    case SceneClass::building: {
      const double s = std::max(l.facade_depth(x), 1e-3);
      const double bottom = l.horizon + s * (h - l.horizon);
      const double up = (bottom - y) / (s * l.px_per_m), along = near_distance / s;
      const bool window = up > 1.5 && frac(up / 3.2) > 0.35 && frac(up / 3.2) < 0.8 && frac(along / 3.0) > 0.25 &&
                          frac(along / 3.0) < 0.75;
      if (window) return Rgb{0.18, 0.22, 0.30} * (0.7 + 0.6 * fine);
      return of(inst) * (0.85 + 0.25 * fbm(x / 3, y / 3, seed + 30));
    }
    case SceneClass::road: {
      const double t = std::max(l.depth_of_row(y), 1e-3);
      const double centre = l.vanish_x + t * (l.road_center - l.vanish_x);
      const bool dash = std::abs(x - centre) < std::max(0.4, 0.12 * l.px_per_m * t) && frac(near_distance / t / 6.0) < 0.5;
      if (dash) return {0.88, 0.88, 0.82};
      return Rgb{0.33, 0.33, 0.35} * (0.8 + 0.35 * fine);
    }
    case SceneClass::sidewalk: {
      const double t = std::max(l.depth_of_row(y), 1e-3);
      const double joint = frac(near_distance / t / 1.5) < 0.1 ? 0.8 : 1.0;
      return Rgb{0.64, 0.61, 0.58} * (joint * (0.88 + 0.2 * fine));
    }
    case SceneClass::terrain:
      return Rgb{0.42, 0.52, 0.24} * (0.7 + 0.55 * fine);
    case SceneClass::vegetation: {
      const Rgb base = l.instance[p] == 0 ? Rgb{0.2, 0.42, 0.14} : of(inst);
      return base * (0.5 + 0.9 * fbm(x / 1.2, y / 1.2, seed + 40));
    }
    case SceneClass::pole:
      return of(inst) * (0.9 + 0.2 * fine);
    case SceneClass::traffic_sign:
      return of(inst);
    case SceneClass::person: {
      const double rel = (y - inst.top) / std::max(1.0f, inst.bottom - inst.top);
      if (rel < 0.16) return {0.85, 0.66, 0.52};
      if (rel < 0.55) return of(inst);
      return {0.14, 0.15, 0.24};
    }
    case SceneClass::car: {
      const double rel = (y - inst.top) / std::max(1.0f, inst.bottom - inst.top);
      if (rel < 0.36) return Rgb{0.16, 0.2, 0.27} * (0.8 + 0.5 * fine);
      if (rel > 0.86) return {0.05, 0.05, 0.06};
      return of(inst) * (0.88 + 0.2 * fine);
    }
  }
  return {0, 0, 0};
}

// [1 2 1] / 4 along one axis, edges clamped.
void blur_axis(std::vector<double>& img, int64_t w, int64_t h, bool horizontal) {
  const std::vector<double> src = img;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t c = 0; c < 3; ++c) {
        const auto at = [&](int64_t xx, int64_t yy) {
          xx = std::clamp<int64_t>(xx, 0, w - 1);
          yy = std::clamp<int64_t>(yy, 0, h - 1);
          return src[static_cast<std::size_t>((yy * w + xx) * 3 + c)];
        };
        const double v = horizontal ? at(x - 1, y) + 2 * at(x, y) + at(x + 1, y)
                                    : at(x, y - 1) + 2 * at(x, y) + at(x, y + 1);
        img[static_cast<std::size_t>((y * w + x) * 3 + c)] = 0.25 * v;
      }
}

}  // namespace

Image render_photo(const Layout& l, Generator& gen) {
  const uint64_t seed = gen.next_u64();
  const double angle = uni(gen, 0.0, 6.283185307179586), strength = uni(gen, 0.15, 0.45);
  const double exposure = uni(gen, 0.85, 1.1);
  const double w = static_cast<double>(l.width), h = static_cast<double>(l.height);
  std::vector<double> rgb(static_cast<std::size_t>(l.width * l.height * 3));
  for (int64_t y = 0; y < l.height; ++y)
    for (int64_t x = 0; x < l.width; ++x) {
      const Rgb c = shade(l, x, y, seed);
      const double light = exposure * (1 + strength * (((x + 0.5) / w - 0.5) * std::cos(angle) +
                                                       ((y + 0.5) / h - 0.5) * std::sin(angle)));
      double* out = rgb.data() + (y * l.width + x) * 3;
      out[0] = c.r * light + 0.012 * gen.normal();
      out[1] = c.g * light + 0.012 * gen.normal();
      out[2] = c.b * light + 0.012 * gen.normal();
    }
  blur_axis(rgb, l.width, l.height, true);
  blur_axis(rgb, l.width, l.height, false);
  Image photo = Image::blank(l.width, l.height, 3);
  for (std::size_t i = 0; i < rgb.size(); ++i)
    photo.samples[i] = static_cast<float>(std::round(std::clamp(rgb[i], 0.0, 1.0) * 255.0));
  return photo;
}

Scene generate_scene(uint64_t seed, int64_t width, int64_t height) {
  // Separate streams: changing the rendering never moves the layout.
  Generator layout_gen(derive_seed(seed, 1));
  Generator render_gen(derive_seed(seed, 2));
  Layout layout = make_layout(layout_gen, width, height);
  Scene scene;
  scene.width = width;
  scene.height = height;
  scene.photo = render_photo(layout, render_gen);
  scene.label = classes_to_label_image(layout.classes, width, height);
  scene.classes = std::move(layout.classes);
  return scene;
}

}  // namespace revgan::data::procedural
