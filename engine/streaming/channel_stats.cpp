// Per-channel statistics: two passes in double within a tile, Chan's merge across tiles.
#include "engine/streaming/channel_stats.hpp"

#include <cmath>

#include "engine/core/check.hpp"

namespace revgan::streaming {

namespace {

void check_tile(const Tensor& t, int64_t channels, const char* what) {
  REVGAN_CHECK(t.defined() && (t.dim() == 4 || t.dim() == 5) && t.size(0) == 1 && t.size(1) == channels &&
                   t.dtype() == DType::float32 && t.device().is_cpu(),
               "{}: expected a CPU float32 [1, {}, ...] tile, got {}", what, channels,
               t.defined() ? t.describe() : std::string("an undefined tensor"));
}

}  // namespace

ChannelStats::ChannelStats(int64_t channels)
    : mean_(static_cast<std::size_t>(channels), 0.0), m2_(static_cast<std::size_t>(channels), 0.0) {}

void ChannelStats::add(const Tensor& tile) {
  check_tile(tile, channels(), "ChannelStats::add");
  const int64_t n = tile.numel() / channels();
  if (n == 0) return;
  const float* x = tile.data<float>();
  const double total = static_cast<double>(count_ + n);
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < channels(); ++c) {
    const float* xc = x + c * n;
    double sum = 0;
    for (int64_t k = 0; k < n; ++k) sum += static_cast<double>(xc[k]);
    const double mean = sum / static_cast<double>(n);
    double m2 = 0;
    for (int64_t k = 0; k < n; ++k) {
      const double d = static_cast<double>(xc[k]) - mean;
      m2 += d * d;
    }
    const std::size_t i = static_cast<std::size_t>(c);
    const double delta = mean - mean_[i];
    mean_[i] += delta * (static_cast<double>(n) / total);
    m2_[i] += m2 + delta * delta * (static_cast<double>(count_) * static_cast<double>(n) / total);
  }
  count_ += n;
}

double ChannelStats::variance(int64_t c) const {
  REVGAN_CHECK(count_ > 0, "ChannelStats: no values added");
  return m2_[static_cast<std::size_t>(c)] / static_cast<double>(count_);
}

double ChannelStats::inverse_std(int64_t c, double eps) const {
  return 1.0 / std::sqrt(variance(c) + eps);
}

void normalise_in_place(Tensor& tile, const ChannelStats& stats, double eps) {
  check_tile(tile, stats.channels(), "normalise_in_place");
  const int64_t n = tile.numel() / stats.channels();
  float* x = tile.data<float>();
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < stats.channels(); ++c) {
    const double mu = stats.mean(c), rstd = stats.inverse_std(c, eps);
    float* xc = x + c * n;
    for (int64_t k = 0; k < n; ++k) xc[k] = static_cast<float>((static_cast<double>(xc[k]) - mu) * rstd);
  }
}

}  // namespace revgan::streaming
