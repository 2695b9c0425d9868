// Volume scoring; the truth is cropped to a multiple of the factor exactly as training and
// inference crop it, so prediction, baseline and truth share one grid.
#include "tools/eval/volume_eval.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "data/volume/resample.hpp"
#include "data/volume/volume_dataset.hpp"
#include "engine/core/check.hpp"
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

data::Volume trilinear_baseline(const data::Volume& truth, const data::Axes3& factor, const data::Volume* low) {
  const data::Volume grid = data::crop_to_multiple(truth, factor);
  const data::Volume small = low != nullptr ? *low : data::make_low_resolution(grid, factor);
  return data::upsample_to_grid(small, grid.size(), grid.geometry);
}

Evaluation evaluate_volumes(const std::vector<FilePair>& pairs, const VolumeEvalOptions& o) {
  VolumeScores model_mean, base_mean;
  struct PerFile {
    std::string name;
    VolumeScores model, baseline;
  };
  std::vector<PerFile> per_file;
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
    const data::Volume baseline =
        trilinear_baseline(truth, o.factor, low_it != o.low_inputs.end() ? &low : nullptr);
    REVGAN_CHECK(baseline.size() == truth.size(), "the trilinear baseline of '{}' does not match its truth grid",
                 p.truth.string());
    per_file.push_back({p.name, compare_volumes(prediction, truth, o.ssim), compare_volumes(baseline, truth, o.ssim)});
    for (auto [mean, s] : {std::pair{&model_mean, per_file.back().model}, std::pair{&base_mean, per_file.back().baseline}}) {
      mean->psnr += s.psnr;
      mean->ssim += s.ssim;
      mean->mae += s.mae;
    }
  }
  const double n = static_cast<double>(pairs.size());
  for (VolumeScores* m : {&model_mean, &base_mean}) {
    m->psnr /= n;
    m->ssim /= n;
    m->mae /= n;
  }
  JsonWriter j;
  j.begin_object().field("kind", "volumes").field("pairs", static_cast<int64_t>(pairs.size()));
  j.key("factor").begin_array().value(o.factor[0]).value(o.factor[1]).value(o.factor[2]).end_array();
  write_scores(j, "model", model_mean);
  write_scores(j, "trilinear", base_mean);
  j.key("files").begin_array();
  for (const PerFile& f : per_file) {
    j.begin_object().field("name", f.name);
    write_scores(j, "model", f.model);
    write_scores(j, "trilinear", f.baseline);
    j.end_object();
  }
  j.end_array().end_object();
  std::string table = fmt::format(
      "volumes: {} pair(s), factor {}x{}x{} (L = truth max - min per volume; SSIM: 3D Gaussian window 11, "
      "sigma 1.5)\n  {:<12} {:>10} {:>8} {:>10}\n",
      pairs.size(), o.factor[0], o.factor[1], o.factor[2], "", "PSNR (dB)", "SSIM", "MAE");
  table += fmt::format("  {:<12} {:>10} {:>8} {:>10}\n", "model", fixed(model_mean.psnr, 2), fixed(model_mean.ssim, 4),
                       fixed(model_mean.mae, 4));
  table += fmt::format("  {:<12} {:>10} {:>8} {:>10}\n", "trilinear", fixed(base_mean.psnr, 2),
                       fixed(base_mean.ssim, 4), fixed(base_mean.mae, 4));
  return {table, j.str()};
}

}  // namespace revgan::eval
