// A procedural stand-in for MRI: a few soft-edged, randomly rotated ellipsoids with distinct
// intensities over smooth low-frequency noise, for tests and demos that need no data files.
#pragma once

#include <cstdint>

#include "data/volume/volume.hpp"

namespace revgan::data {

struct ProceduralVolumeOptions {
  Axes3 size{48, 48, 48};        // (D, H, W)
  int64_t ellipsoids = 5;
  double edge_width = 1.0;       // voxels over which an edge rises (logistic scale)
  double noise_amplitude = 0.05;
  int64_t noise_cell = 8;        // voxels between the noise lattice points
  std::array<double, 3> spacing{1.0, 1.0, 1.0};
  uint64_t seed = 0;
};

// One channel, intensities roughly in [0, 1.5], the same on every machine for a given seed.
Volume make_procedural_volume(const ProceduralVolumeOptions& options = {});

}  // namespace revgan::data
