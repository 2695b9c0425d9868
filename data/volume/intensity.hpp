// Intensity normalisation of volumes to [-1, 1] from robust percentiles, and the inverse map
// that takes network outputs back to the scanner's units.
#pragma once

#include <span>

#include "data/volume/volume.hpp"
#include "engine/tensor/tensor.hpp"

namespace revgan::data {

struct NormaliseOptions {
  double low_percentile = 0.5;    // maps to -1
  double high_percentile = 99.5;  // maps to +1
  bool clamp = true;              // values outside the percentiles' range are cut to -1 / +1
};

// The p-th percentile (0..100) with linear interpolation between order statistics (numpy's
// default). Errors on an empty range.
double percentile(std::span<const float> values, double p);

// (low, high) from the percentiles of all voxels of all channels. A constant volume gets
// high = low + 1 so that the map stays invertible (it then normalises to -1).
IntensityScale robust_intensity_scale(const Volume& volume, const NormaliseOptions& options = {});

// v -> 2 (v - low) / (high - low) - 1, clamped to [-1, 1] when `clamp`; the result records
// `scale`. Clamped values (outside [low, high]) are the only ones denormalise() cannot restore.
Volume normalise(const Volume& volume, const IntensityScale& scale, bool clamp = true);
Volume normalise(const Volume& volume, const NormaliseOptions& options = {});

// The inverse map, (v + 1) / 2 (high - low) + low; the volume must carry a normalised scale
// and the result carries none.
Volume denormalise(const Volume& volume);
void denormalise(std::span<float> values, const IntensityScale& scale);
// For network outputs: a float32 tensor of any shape and device; the result is on the CPU.
Tensor denormalise(const Tensor& values, const IntensityScale& scale);

}  // namespace revgan::data
