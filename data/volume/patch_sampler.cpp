// Pairs are built once per volume; patches are plain crops of both, so they cannot drift apart.
#include "data/volume/patch_sampler.hpp"

#include "data/volume/resample.hpp"
#include "data/volume/volume_tensor.hpp"
#include "engine/core/check.hpp"

namespace revgan::data {

VolumePair make_super_resolution_pair(const Volume& high, const Axes3& factor, Interpolation upsample) {
  const Volume target = crop_to_multiple(high, factor);
  const Volume low = make_low_resolution(target, factor);
  return {interpolate_to_grid(low, target.size(), target.geometry, upsample), target};
}

VolumePair pair_on_grid(const Volume& low, const Volume& high, Interpolation upsample) {
  REVGAN_CHECK(low.channels == high.channels, "super-resolution pair: {} channels at low resolution, {} at high",
               low.channels, high.channels);
  Volume input = interpolate_to_grid(low, high.size(), high.geometry, upsample);
  return {std::move(input), high};
}

PatchSampler::PatchSampler(const Axes3& patch_size) : patch_size_(patch_size) {
  for (int64_t p : patch_size_)
    REVGAN_CHECK(p >= 1, "patch size ({}, {}, {}) must be positive", patch_size_[0], patch_size_[1], patch_size_[2]);
}

PatchPair PatchSampler::sample(const VolumePair& pair, Generator& gen) const {
  const Axes3 extent = pair.target.size();
  Axes3 origin{};
  for (std::size_t a = 0; a < 3; ++a) {
    REVGAN_CHECK(patch_size_[a] <= extent[a], "patch size ({}, {}, {}) is larger than the {}x{}x{} volume",
                 patch_size_[0], patch_size_[1], patch_size_[2], extent[0], extent[1], extent[2]);
    origin[a] = static_cast<int64_t>(gen.below(static_cast<uint64_t>(extent[a] - patch_size_[a] + 1)));
  }
  return at(pair, origin);
}

PatchPair PatchSampler::at(const VolumePair& pair, const Axes3& origin) const {
  REVGAN_CHECK(pair.input.size() == pair.target.size() && pair.input.channels == pair.target.channels,
               "patch sampler: input {}x{}x{}x{} and target {}x{}x{}x{} are not on one grid", pair.input.channels,
               pair.input.depth, pair.input.height, pair.input.width, pair.target.channels, pair.target.depth,
               pair.target.height, pair.target.width);
  return {volume_to_tensor(crop(pair.input, origin, patch_size_)), volume_to_tensor(crop(pair.target, origin, patch_size_)),
          origin};
}

}  // namespace revgan::data
