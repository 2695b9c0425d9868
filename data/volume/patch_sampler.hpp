// Super-resolution pairs on one grid, and random patches cut at the same place from both:
// the 3D RevGAN maps input to output at the same size, so the low-resolution input is
// up-sampled onto the high-resolution grid before any patch is taken.
#pragma once

#include "data/volume/interpolation.hpp"
#include "data/volume/volume.hpp"
#include "engine/tensor/random.hpp"
#include "engine/tensor/tensor.hpp"

namespace revgan::data {

// input: the low-resolution volume up-sampled to target's grid; target: the high-resolution
// volume (cropped to a multiple of the factor when the low-res side was synthesised).
struct VolumePair {
  Volume input;
  Volume target;
};

// Synthesises the low-resolution side by block averaging (make_low_resolution), then
// interpolates it back onto the (cropped) high-resolution grid.
VolumePair make_super_resolution_pair(const Volume& high, const Axes3& factor,
                                      Interpolation upsample = Interpolation::trilinear);
// A given low-resolution partner, up-sampled to high's grid; channel counts must agree.
VolumePair pair_on_grid(const Volume& low, const Volume& high, Interpolation upsample = Interpolation::trilinear);

struct PatchPair {
  Tensor input;   // [C, d, h, w]
  Tensor target;  // [C, d, h, w]
  Axes3 origin{};  // where both were cut, in voxels of the high-resolution grid (D, H, W)
};

class PatchSampler {
 public:
  explicit PatchSampler(const Axes3& patch_size = {24, 24, 24});
  const Axes3& patch_size() const { return patch_size_; }
  // A uniformly random origin such that the patch lies inside the pair.
  PatchPair sample(const VolumePair& pair, Generator& gen) const;
  PatchPair at(const VolumePair& pair, const Axes3& origin) const;

 private:
  Axes3 patch_size_;
};

}  // namespace revgan::data
