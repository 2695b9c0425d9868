// MAE / PSNR / SSIM on Grids; SSIM filters separably in "valid" mode, one axis at a time.
#include "tools/eval/image_metrics.hpp"

#include <array>
#include <cmath>
#include <limits>

#include "engine/core/check.hpp"

namespace revgan::eval {

namespace {

void check_same_extent(const Grid& a, const Grid& b, const char* what) {
  REVGAN_CHECK(a.d == b.d && a.h == b.h && a.w == b.w, "{}: sizes differ ({}x{}x{} vs {}x{}x{})", what, a.d, a.h, a.w,
               b.d, b.h, b.w);
  REVGAN_CHECK(a.numel() > 0, "{}: empty input", what);
}

// Normalised Gaussian taps; `taps` is odd.
std::vector<double> gaussian(int taps, double sigma) {
  std::vector<double> k(static_cast<std::size_t>(taps));
  const int r = taps / 2;
  double sum = 0;
  for (int i = 0; i < taps; ++i) sum += k[static_cast<std::size_t>(i)] = std::exp(-0.5 * (i - r) * (i - r) / (sigma * sigma));
  for (double& x : k) x /= sum;
  return k;
}

// The largest odd window <= `window` that fits `extent`.
int fitted_window(int window, int64_t extent) {
  int64_t taps = std::min<int64_t>(window, extent);
  if (taps % 2 == 0) --taps;
  return static_cast<int>(std::max<int64_t>(taps, 1));
}

// Valid-mode correlation of g with `k` along `axis` (0 = d, 1 = h, 2 = w).
Grid filter_axis(const Grid& g, const std::vector<double>& k, int axis) {
  if (k.size() == 1) return g;
  const int64_t n = static_cast<int64_t>(k.size());
  std::array<int64_t, 3> in{g.d, g.h, g.w};
  std::array<int64_t, 3> out = in;
  out[static_cast<std::size_t>(axis)] -= n - 1;
  const std::array<int64_t, 3> stride{g.h * g.w, g.w, 1};
  const int64_t step = stride[static_cast<std::size_t>(axis)];
  Grid r{out[0], out[1], out[2], std::vector<double>(static_cast<std::size_t>(out[0] * out[1] * out[2]))};
  std::size_t o = 0;
  for (int64_t z = 0; z < out[0]; ++z)
    for (int64_t y = 0; y < out[1]; ++y)
      for (int64_t x = 0; x < out[2]; ++x) {
        const double* src = g.v.data() + z * stride[0] + y * stride[1] + x;
        double acc = 0;
        for (int64_t t = 0; t < n; ++t) acc += k[static_cast<std::size_t>(t)] * src[t * step];
        r.v[o++] = acc;
      }
  return r;
}

Grid filter(const Grid& g, const SsimOptions& o) {
  Grid r = g;
  const std::array<int64_t, 3> extent{g.d, g.h, g.w};
  for (int axis = 0; axis < 3; ++axis) {
    const int taps = fitted_window(o.window, extent[static_cast<std::size_t>(axis)]);
    r = filter_axis(r, gaussian(taps, o.sigma), axis);
  }
  return r;
}

Grid product(const Grid& a, const Grid& b) {
  Grid r = a;
  for (std::size_t i = 0; i < r.v.size(); ++i) r.v[i] *= b.v[i];
  return r;
}

Grid luma(const data::Image& image) {
  Grid r{1, image.height, image.width, std::vector<double>(static_cast<std::size_t>(image.width * image.height))};
  const double scale = 255.0 / image.max_value();
  for (std::size_t p = 0; p < r.v.size(); ++p) {
    const float* px = image.samples.data() + p * 3;
    r.v[p] = scale * (0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2]);
  }
  return r;
}

}  // namespace

Grid image_channel(const data::Image& image, int64_t c) {
  REVGAN_CHECK(c >= 0 && c < image.channels, "image_channel: channel {} of a {}-channel image", c, image.channels);
  Grid g{1, image.height, image.width, std::vector<double>(static_cast<std::size_t>(image.width * image.height))};
  const double scale = 255.0 / image.max_value();
  for (std::size_t p = 0; p < g.v.size(); ++p)
    g.v[p] = scale * image.samples[p * static_cast<std::size_t>(image.channels) + static_cast<std::size_t>(c)];
  return g;
}

double ssim(const Grid& a, const Grid& b, const SsimOptions& o) {
  check_same_extent(a, b, "ssim");
  const Grid mu_a = filter(a, o), mu_b = filter(b, o);
  const Grid aa = filter(product(a, a), o), bb = filter(product(b, b), o), ab = filter(product(a, b), o);
  const double c1 = (o.k1 * o.data_range) * (o.k1 * o.data_range);
  const double c2 = (o.k2 * o.data_range) * (o.k2 * o.data_range);
  double sum = 0;
  for (std::size_t i = 0; i < mu_a.v.size(); ++i) {
    const double ma = mu_a.v[i], mb = mu_b.v[i];
    const double va = aa.v[i] - ma * ma, vb = bb.v[i] - mb * mb, cov = ab.v[i] - ma * mb;
    sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
  }
  return sum / static_cast<double>(mu_a.v.size());
}

double mean_squared_error(const Grid& a, const Grid& b) {
  check_same_extent(a, b, "mse");
  double sum = 0;
  for (std::size_t i = 0; i < a.v.size(); ++i) sum += (a.v[i] - b.v[i]) * (a.v[i] - b.v[i]);
  return sum / static_cast<double>(a.v.size());
}

double mean_absolute_error(const Grid& a, const Grid& b) {
  check_same_extent(a, b, "mae");
  double sum = 0;
  for (std::size_t i = 0; i < a.v.size(); ++i) sum += std::abs(a.v[i] - b.v[i]);
  return sum / static_cast<double>(a.v.size());
}

double psnr_from_mse(double mse, double data_range) {
  if (mse <= 0) return std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(data_range * data_range / mse);
}

ImageScores compare_images(const data::Image& prediction, const data::Image& truth, const SsimOptions& options) {
  REVGAN_CHECK(prediction.width == truth.width && prediction.height == truth.height,
               "compare_images: prediction is {}x{}, truth is {}x{}", prediction.width, prediction.height, truth.width,
               truth.height);
  std::vector<Grid> p, t;
  if (prediction.channels == truth.channels) {
    for (int64_t c = 0; c < truth.channels; ++c) {
      p.push_back(image_channel(prediction, c));
      t.push_back(image_channel(truth, c));
    }
  } else {
    REVGAN_CHECK(prediction.channels + truth.channels == 4, "compare_images: {} vs {} channels", prediction.channels,
                 truth.channels);
    p.push_back(prediction.channels == 3 ? luma(prediction) : image_channel(prediction, 0));
    t.push_back(truth.channels == 3 ? luma(truth) : image_channel(truth, 0));
  }
  ImageScores s;
  double se = 0, ae = 0, ss = 0;
  for (std::size_t c = 0; c < p.size(); ++c) {
    se += mean_squared_error(p[c], t[c]);
    ae += mean_absolute_error(p[c], t[c]);
    ss += ssim(p[c], t[c], options);
  }
  const double channels = static_cast<double>(p.size());
  s.mae = ae / channels;
  s.psnr = psnr_from_mse(se / channels);
  s.ssim = ss / channels;
  return s;
}

}  // namespace revgan::eval
