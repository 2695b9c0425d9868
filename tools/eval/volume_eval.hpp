// 3D super-resolution scores: PSNR, SSIM (3D Gaussian window) and MAE of the predicted volumes
// against the high-resolution truth, next to the nearest, trilinear and cubic B-spline
// interpolations of the same low-resolution input.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "data/volume/interpolation.hpp"
#include "data/volume/volume.hpp"
#include "tools/eval/evaluate.hpp"

namespace revgan::eval {

struct VolumeScores {
  double psnr = 0, ssim = 0, mae = 0;
};

struct VolumeEvalOptions {
  data::Axes3 factor{2, 2, 2};  // (D, H, W) down-sampling factor between truth and input
  // Low-resolution inputs by pair name; a pair without one gets its input synthesised from the
  // truth by block averaging (as the training data does).
  std::map<std::string, std::filesystem::path> low_inputs;
  SsimOptions ssim;  // data_range is replaced by each truth's max - min
  // Non-empty: write the middle slices of every method next to the truth there as PNG
  // (write_slice_strips), named after each pair.
  std::filesystem::path slices;
};

// Scores of `prediction` against `truth` (same grid), every channel, on the truth's units with
// L = max - min of the truth.
VolumeScores compare_volumes(const data::Volume& prediction, const data::Volume& truth, SsimOptions ssim = {});

// A baseline for a truth volume: block average by `factor` (or `low` when given), then
// interpolation back onto the (cropped) truth grid.
data::Volume interpolation_baseline(const data::Volume& truth, const data::Axes3& factor,
                                    data::Interpolation interpolation, const data::Volume* low = nullptr);

Evaluation evaluate_volumes(const std::vector<FilePair>& pairs, const VolumeEvalOptions& options);

}  // namespace revgan::eval
