// Robust percentile scaling; nth_element keeps the percentile linear-time on large MRI volumes.
#include "data/volume/intensity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "engine/core/check.hpp"

namespace revgan::data {

double percentile(std::span<const float> values, double p) {
  REVGAN_CHECK(!values.empty(), "percentile of an empty set of values");
  REVGAN_CHECK(p >= 0.0 && p <= 100.0, "percentile {} outside 0..100", p);
  std::vector<float> v(values.begin(), values.end());
  // NaN would break nth_element's ordering.
  REVGAN_CHECK(std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); }),
               "percentile: the values include NaN or infinity");
  const double rank = p / 100.0 * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(lo);
  std::nth_element(v.begin(), mid, v.end());
  const double a = *mid;
  if (lo + 1 >= v.size()) return a;
  // The next order statistic is the smallest value above position lo.
  const double b = *std::min_element(mid + 1, v.end());
  return a + (rank - static_cast<double>(lo)) * (b - a);
}

IntensityScale robust_intensity_scale(const Volume& volume, const NormaliseOptions& options) {
  REVGAN_CHECK(options.low_percentile < options.high_percentile,
               "normalise: low percentile {} must be below the high percentile {}", options.low_percentile,
               options.high_percentile);
  IntensityScale scale;
  scale.normalised = true;
  scale.low = percentile(volume.data, options.low_percentile);
  scale.high = percentile(volume.data, options.high_percentile);
  if (!(scale.high > scale.low)) scale.high = scale.low + 1.0;
  return scale;
}

Volume normalise(const Volume& volume, const IntensityScale& scale, bool clamp) {
  REVGAN_CHECK(scale.high > scale.low, "normalise: intensity range [{}, {}] is empty", scale.low, scale.high);
  Volume out = volume;
  const double k = 2.0 / (scale.high - scale.low);
  const double bound = clamp ? 1.0 : std::numeric_limits<double>::infinity();
  for (float& v : out.data) v = static_cast<float>(std::clamp(k * (v - scale.low) - 1.0, -bound, bound));
  out.intensity = scale;
  out.intensity.normalised = true;
  return out;
}

Volume normalise(const Volume& volume, const NormaliseOptions& options) {
  return normalise(volume, robust_intensity_scale(volume, options), options.clamp);
}

void denormalise(std::span<float> values, const IntensityScale& scale) {
  REVGAN_CHECK(scale.normalised, "denormalise: the intensity scale is not a normalisation");
  const double half = (scale.high - scale.low) / 2.0;
  for (float& v : values) v = static_cast<float>((v + 1.0) * half + scale.low);
}

Volume denormalise(const Volume& volume) {
  Volume out = volume;
  denormalise(out.data, volume.intensity);
  out.intensity = IntensityScale{};
  return out;
}

Tensor denormalise(const Tensor& values, const IntensityScale& scale) {
  REVGAN_CHECK(values.defined() && values.dtype() == DType::float32, "denormalise: expected a float32 tensor, got {}",
               values.defined() ? values.describe() : "undefined");
  Tensor out = values.detach().to(Device::cpu()).clone();
  denormalise(std::span<float>(out.data<float>(), static_cast<std::size_t>(out.numel())), scale);
  return out;
}

}  // namespace revgan::data
