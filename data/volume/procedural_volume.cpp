// Soft ellipsoids: a logistic step across each surface gives edges a few voxels wide, so the
// volume has both flat regions and boundaries for a super-resolution model to recover.
#include "data/volume/procedural_volume.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/core/check.hpp"
#include "engine/tensor/random.hpp"

namespace revgan::data {

namespace {

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<Vec3, 3>;

// A uniformly random rotation from a normalised Gaussian quaternion.
Mat3 random_rotation(Generator& gen) {
  double q[4];
  double norm = 0.0;
  do {
    norm = 0.0;
    for (double& v : q) {
      v = gen.normal();
      norm += v * v;
    }
  } while (norm < 1e-12);
  norm = std::sqrt(norm);
  const double w = q[0] / norm, x = q[1] / norm, y = q[2] / norm, z = q[3] / norm;
  return {{{1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)},
           {2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)},
           {2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)}}};
}

struct Ellipsoid {
  Vec3 centre;
  Vec3 radii;
  Mat3 rotation;  // rows: the ellipsoid's axes in volume coordinates
  double intensity;
};

Ellipsoid random_ellipsoid(const Axes3& size, Generator& gen) {
  Ellipsoid e;
  for (std::size_t a = 0; a < 3; ++a) {
    const double n = static_cast<double>(size[a]);
    e.centre[a] = n * (0.25 + 0.5 * gen.uniform());
    e.radii[a] = std::max(1.5, n * (0.1 + 0.25 * gen.uniform()));
  }
  e.rotation = random_rotation(gen);
  e.intensity = 0.2 + 0.8 * gen.uniform();
  return e;
}

// 1 well inside, 0 well outside, a logistic ramp about `edge` voxels wide across the surface.
double inside(const Ellipsoid& e, const Vec3& p, double edge) {
  double r2 = 0.0;
  double mean_radius = 0.0;
  for (std::size_t i = 0; i < 3; ++i) {
    double u = 0.0;
    for (std::size_t a = 0; a < 3; ++a) u += e.rotation[i][a] * (p[a] - e.centre[a]);
    r2 += (u / e.radii[i]) * (u / e.radii[i]);
    mean_radius += e.radii[i] / 3.0;
  }
  const double distance = (1.0 - std::sqrt(r2)) * mean_radius;  // approximate, in voxels
  return 1.0 / (1.0 + std::exp(-distance / edge));
}

// Value noise: random values on a coarse lattice, interpolated trilinearly.
class SmoothNoise {
 public:
  SmoothNoise(const Axes3& size, int64_t cell, Generator& gen) : cell_(static_cast<double>(cell)) {
    for (std::size_t a = 0; a < 3; ++a) n_[a] = size[a] / cell + 2;
    values_.resize(static_cast<std::size_t>(n_[0] * n_[1] * n_[2]));
    for (double& v : values_) v = 2.0 * gen.uniform() - 1.0;
  }
  double operator()(const Vec3& p) const {
    int64_t i0[3];
    double t[3];
    for (std::size_t a = 0; a < 3; ++a) {
      const double x = p[a] / cell_;
      i0[a] = std::min(static_cast<int64_t>(x), n_[a] - 2);
      t[a] = x - static_cast<double>(i0[a]);
    }
    double sum = 0.0;
    for (int corner = 0; corner < 8; ++corner) {
      double weight = 1.0;
      int64_t idx[3];
      for (std::size_t a = 0; a < 3; ++a) {
        const int bit = (corner >> a) & 1;
        idx[a] = i0[a] + bit;
        weight *= bit ? t[a] : 1.0 - t[a];
      }
      sum += weight * values_[static_cast<std::size_t>((idx[0] * n_[1] + idx[1]) * n_[2] + idx[2])];
    }
    return sum;
  }

 private:
  double cell_;
  int64_t n_[3];
  std::vector<double> values_;
};

}  // namespace

Volume make_procedural_volume(const ProceduralVolumeOptions& options) {
  const Axes3& size = options.size;
  REVGAN_CHECK(size[0] > 0 && size[1] > 0 && size[2] > 0, "procedural volume: bad size {}x{}x{}", size[0], size[1],
               size[2]);
  REVGAN_CHECK(options.ellipsoids >= 0 && options.edge_width > 0 && options.noise_cell > 0,
               "procedural volume: ellipsoids {}, edge_width {} and noise_cell {} must be >= 0, > 0 and > 0",
               options.ellipsoids, options.edge_width, options.noise_cell);
  Generator gen(options.seed);
  std::vector<Ellipsoid> shapes;
  for (int64_t i = 0; i < options.ellipsoids; ++i) shapes.push_back(random_ellipsoid(size, gen));
  const SmoothNoise noise(size, options.noise_cell, gen);

  Volume v = Volume::blank(1, size[0], size[1], size[2]);
  for (int64_t d = 0; d < size[0]; ++d)
    for (int64_t h = 0; h < size[1]; ++h)
      for (int64_t w = 0; w < size[2]; ++w) {
        const Vec3 p{d + 0.5, h + 0.5, w + 0.5};
        // Later shapes cover earlier ones, like tissue compartments nested in each other.
        double value = 0.0;
        for (const Ellipsoid& e : shapes) {
          const double m = inside(e, p, options.edge_width);
          value = (1.0 - m) * value + m * e.intensity;
        }
        value += options.noise_amplitude * noise(p);
        v.at(0, d, h, w) = static_cast<float>(value);
      }
  v.geometry.spacing = options.spacing;
  v.geometry.qform = v.geometry.sform = scaling_affine(options.spacing);
  return v;
}

}  // namespace revgan::data
