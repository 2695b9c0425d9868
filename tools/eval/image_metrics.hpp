// Full-reference image metrics on the [0, 255] scale: MAE, PSNR and SSIM (Wang et al. 2004:
// Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03), for 2D images and 3D grids alike.
#pragma once

#include <cstdint>
#include <vector>

#include "data/image.hpp"

namespace revgan::eval {

// One channel of an image or volume: extents d x h x w (2D: d = 1), row-major values.
struct Grid {
  int64_t d = 1, h = 0, w = 0;
  std::vector<double> v;
  int64_t numel() const { return d * h * w; }
};

// Channel `c` of `image`, rescaled to [0, 255] whatever the bit depth.
Grid image_channel(const data::Image& image, int64_t c);

struct SsimOptions {
  int window = 11;      // taps per axis; clipped to the largest odd size that fits each axis
  double sigma = 1.5;
  double k1 = 0.01, k2 = 0.03;
  double data_range = 255.0;  // L in C1 = (k1 L)^2, C2 = (k2 L)^2
};

// Mean of the SSIM map over the "valid" region (window entirely inside; no padding), as in
// the reference implementation. Axes of extent 1 are not filtered (2D is d = 1).
double ssim(const Grid& a, const Grid& b, const SsimOptions& options = {});
double mean_squared_error(const Grid& a, const Grid& b);
double mean_absolute_error(const Grid& a, const Grid& b);
// 10 log10(range^2 / MSE); +infinity when the inputs are identical.
double psnr_from_mse(double mse, double data_range = 255.0);

struct ImageScores {
  double mae = 0;   // mean |a - b| over every sample, [0, 255] scale
  double psnr = 0;  // dB over every sample; +inf for identical images
  double ssim = 0;  // mean over channels of each channel's SSIM
};

// Both images must have the same size; channel counts may differ only as gray vs RGB, in
// which case the RGB side is reduced to luma first (ITU-R 601).
ImageScores compare_images(const data::Image& prediction, const data::Image& truth, const SsimOptions& options = {});

}  // namespace revgan::eval
