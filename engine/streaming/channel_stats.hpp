// Instance-norm statistics gathered over the tiles of an activation: per channel count, mean
// and sum of squared deviations in double, merged tile by tile (Chan et al.), in a fixed tile
// order so the result does not depend on threads. Applying them reproduces ops::instance_norm
// on the whole activation (biased variance, (x - mean) / sqrt(var + eps) computed in double).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::streaming {

class ChannelStats {
 public:
  explicit ChannelStats(int64_t channels = 0);
  // Adds a CPU float32 [1, C, (D,) H, W] tile.
  void add(const Tensor& tile);
  int64_t channels() const { return static_cast<int64_t>(mean_.size()); }
  int64_t count() const { return count_; }
  double mean(int64_t c) const { return mean_[static_cast<std::size_t>(c)]; }
  double variance(int64_t c) const;  // biased
  double inverse_std(int64_t c, double eps) const;

 private:
  int64_t count_ = 0;
  std::vector<double> mean_, m2_;
};

// x <- (x - mean) * inverse_std per channel, in place on a CPU float32 [1, C, ...] tile.
void normalise_in_place(Tensor& tile, const ChannelStats& stats, double eps);

}  // namespace revgan::streaming
