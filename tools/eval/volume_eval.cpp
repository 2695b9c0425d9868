// Volume scoring; the truth is cropped to a multiple of the factor exactly as training and
// inference crop it, so prediction, baseline and truth share one grid.
#include "tools/eval/volume_eval.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "data/volume/interpolation.hpp"
#include "data/volume/resample.hpp"
#include "data/volume/volume_dataset.hpp"
#include "engine/core/check.hpp"
#include "tools/eval/volume_slices.hpp"
#include "tools/eval/json_writer.hpp"

namespace revgan::eval {

namespace {

Grid channel(const data::Volume& v, int64_t c) {
  Grid g{v.depth, v.height, v.width, {}};
  const std::size_t n = static_cast<std::size_t>(v.depth * v.height * v.width);
  const float* src = v.data.data() + static_cast<std::size_t>(c) * n;
  g.v.assign(src, src + n);
  return g;
}

std::string fixed(double v, int digits) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:.{}f}", v, digits);
}

void write_scores(JsonWriter& j, const char* key, const VolumeScores& s) {
  j.key(key).begin_object().field("psnr", s.psnr).field("ssim", s.ssim).field("mae", s.mae).end_object();
}

}  // namespace

VolumeScores compare_volumes(const data::Volume& prediction, const data::Volume& truth, SsimOptions ssim) {
  REVGAN_CHECK(prediction.size() == truth.size() && prediction.channels == truth.channels,
               "compare_volumes: prediction {}x{}x{}x{} vs truth {}x{}x{}x{}", prediction.channels, prediction.depth,
               prediction.height, prediction.width, truth.channels, truth.depth, truth.height, truth.width);
  const auto [lo, hi] = std::minmax_element(truth.data.begin(), truth.data.end());
  ssim.data_range = *hi > *lo ? static_cast<double>(*hi - *lo) : 1.0;
  VolumeScores s;
  double mse = 0;
  for (int64_t c = 0; c < truth.channels; ++c) {
    const Grid p = channel(prediction, c), t = channel(truth, c);
    mse += mean_squared_error(p, t);
    s.mae += mean_absolute_error(p, t);
    s.ssim += eval::ssim(p, t, ssim);
  }
  const double n = static_cast<double>(truth.channels);
  s.psnr = psnr_from_mse(mse / n, ssim.data_range);
  s.mae /= n;
  s.ssim /= n;
  return s;
}

namespace {

// "sub/ch2.nii.gz" -> "sub_ch2": a file name for the pair's slice images.
std::string volume_stem(std::string name) {
  for (const char* ext : {".nii.gz", ".nii", ".h5", ".hdf5"}) {
    const std::string e = ext;
    if (name.size() > e.size() && name.ends_with(e)) {
      name.resize(name.size() - e.size());
      break;
    }
  }
  std::replace(name.begin(), name.end(), '/', '_');
  return name;
}

}  // namespace

data::Volume interpolation_baseline(const data::Volume& truth, const data::Axes3& factor,
                                    data::Interpolation interpolation, const data::Volume* low) {
  const data::Volume grid = data::crop_to_multiple(truth, factor);
  const data::Volume small = low != nullptr ? *low : data::make_low_resolution(grid, factor);
  return data::interpolate_to_grid(small, grid.size(), grid.geometry, interpolation);
}

Evaluation evaluate_volumes(const std::vector<FilePair>& pairs, const VolumeEvalOptions& o) {
  // Method 0 is the model; the others interpolate the same low-resolution input.
  const std::vector<std::string> methods = {"model", "nearest", "trilinear", "cubic"};
  const data::Interpolation baselines[] = {data::Interpolation::nearest, data::Interpolation::trilinear,
                                           data::Interpolation::cubic};
  struct PerFile {
    std::string name;
    std::vector<VolumeScores> scores;  // by method
  };
  std::vector<PerFile> per_file;
  std::vector<VolumeScores> mean(methods.size());
  std::vector<std::string> slice_files;
  for (const FilePair& p : pairs) {
    const data::Volume prediction = data::read_volume(p.prediction);
    data::Volume truth = data::read_volume(p.truth);
    if (prediction.size() != truth.size()) truth = data::crop_to_multiple(truth, o.factor);
    REVGAN_CHECK(prediction.size() == truth.size(),
                 "'{}' is {}x{}x{} but its truth '{}' is {}x{}x{} (also after cropping to a multiple of the factor)",
                 p.prediction.string(), prediction.depth, prediction.height, prediction.width, p.truth.string(),
                 truth.depth, truth.height, truth.width);
    const auto low_it = o.low_inputs.find(p.name);
    data::Volume low;
    if (low_it != o.low_inputs.end()) low = data::read_volume(low_it->second);
    PerFile file{p.name, {compare_volumes(prediction, truth, o.ssim)}};
    std::vector<data::Volume> baseline_volumes;
    for (data::Interpolation kind : baselines) {
      baseline_volumes.push_back(
          interpolation_baseline(truth, o.factor, kind, low_it != o.low_inputs.end() ? &low : nullptr));
      REVGAN_CHECK(baseline_volumes.back().size() == truth.size(),
                   "the {} baseline of '{}' does not match its truth grid", data::interpolation_name(kind),
                   p.truth.string());
      file.scores.push_back(compare_volumes(baseline_volumes.back(), truth, o.ssim));
    }
    if (!o.slices.empty()) {
      std::vector<SlicePanel> panels;
      for (std::size_t b = 0; b < baseline_volumes.size(); ++b) panels.push_back({methods[b + 1], &baseline_volumes[b]});
      panels.push_back({"model", &prediction});
      panels.push_back({"truth", &truth});
      for (const auto& path : write_slice_strips(panels, truth, o.slices, volume_stem(p.name)))
        slice_files.push_back(path.string());
    }
    for (std::size_t m = 0; m < methods.size(); ++m) {
      mean[m].psnr += file.scores[m].psnr;
      mean[m].ssim += file.scores[m].ssim;
      mean[m].mae += file.scores[m].mae;
    }
    per_file.push_back(std::move(file));
  }
  const double n = static_cast<double>(pairs.size());
  for (VolumeScores& m : mean) {
    m.psnr /= n;
    m.ssim /= n;
    m.mae /= n;
  }
  JsonWriter j;
  j.begin_object().field("kind", "volumes").field("pairs", static_cast<int64_t>(pairs.size()));
  j.key("factor").begin_array().value(o.factor[0]).value(o.factor[1]).value(o.factor[2]).end_array();
  for (std::size_t m = 0; m < methods.size(); ++m) write_scores(j, methods[m].c_str(), mean[m]);
  j.key("files").begin_array();
  for (const PerFile& f : per_file) {
    j.begin_object().field("name", f.name);
    for (std::size_t m = 0; m < methods.size(); ++m) write_scores(j, methods[m].c_str(), f.scores[m]);
    j.end_object();
  }
  j.end_array();
  if (!o.slices.empty()) {
    j.key("slices").begin_array();
    for (const std::string& f : slice_files) j.value(f);
    j.end_array();
  }
  j.end_object();
  std::string table = fmt::format(
      "volumes: {} pair(s), factor {}x{}x{} (L = truth max - min per volume; SSIM: 3D Gaussian window 11, "
      "sigma 1.5; nearest / trilinear / cubic B-spline interpolate the same low-resolution input)\n"
      "  {:<12} {:>10} {:>8} {:>10}\n",
      pairs.size(), o.factor[0], o.factor[1], o.factor[2], "", "PSNR (dB)", "SSIM", "MAE");
  for (std::size_t m = 0; m < methods.size(); ++m)
    table += fmt::format("  {:<12} {:>10} {:>8} {:>10}\n", methods[m], fixed(mean[m].psnr, 2), fixed(mean[m].ssim, 4),
                         fixed(mean[m].mae, 4));
  if (!slice_files.empty())
    table += fmt::format("  middle slices (nearest | trilinear | cubic | model | truth): {}\n",
                         fmt::join(slice_files, ", "));
  return {table, j.str()};
}

}  // namespace revgan::eval
