// Pairing, per-file scoring and aggregation for revgan_eval.
#include "tools/eval/evaluate.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "data/dataset.hpp"
#include "data/procedural/palette.hpp"
#include "data/volume/volume_dataset.hpp"
#include "engine/core/check.hpp"
#include "tools/eval/json_writer.hpp"

namespace revgan::eval {

namespace {

namespace fs = std::filesystem;

// The name without its extension (both of them for .nii.gz).
std::string bare_name(const fs::path& rel) {
  fs::path p = rel;
  if (p.extension() == ".gz" || p.extension() == ".GZ") p.replace_extension();
  return (p.parent_path() / p.stem()).string();
}

// Relative path without extension -> file.
std::map<std::string, fs::path> index_files(const fs::path& root, const char* what, FileKind kind) {
  std::error_code ec;
  REVGAN_CHECK(fs::exists(root, ec), "{} '{}' does not exist", what, root.string());
  std::map<std::string, fs::path> files;
  if (fs::is_regular_file(root, ec)) {
    files[bare_name(root.filename())] = root;
    return files;
  }
  const auto listed = kind == FileKind::images ? data::list_image_files(root) : data::list_volume_files(root);
  for (const fs::path& p : listed) {
    const std::string key = bare_name(p.lexically_relative(root));
    REVGAN_CHECK(!files.contains(key), "{} folder '{}' holds two images named '{}' ({} and {})", what, root.string(),
                 key, files[key].string(), p.string());
    files[key] = p;
  }
  REVGAN_CHECK(!files.empty(), "{} folder '{}' holds no {}", what, root.string(),
               kind == FileKind::images ? "images" : "volumes");
  return files;
}

std::string list_some(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < 5; ++i) s += fmt::format("{}'{}'", i ? ", " : "", names[i]);
  if (names.size() > 5) s += fmt::format(" and {} more", names.size() - 5);
  return s;
}

std::string fixed(double v, int digits = 4) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return fmt::format("{:.{}f}", v, digits);
}

struct LoadedPair {
  data::Image prediction, truth;
};

LoadedPair load_pair(const FilePair& p, Half half) {
  LoadedPair l{data::read_image(p.prediction), select_half(data::read_image(p.truth), half)};
  REVGAN_CHECK(l.prediction.width == l.truth.width && l.prediction.height == l.truth.height,
               "'{}' is {}x{} but its truth '{}' is {}x{}{}", p.prediction.string(), l.prediction.width,
               l.prediction.height, p.truth.string(), l.truth.width, l.truth.height,
               half == Half::whole ? "" : " (after taking the half)");
  return l;
}

}  // namespace

std::vector<FilePair> match_files(const fs::path& pred, const fs::path& truth, FileKind kind) {
  const auto p = index_files(pred, "prediction", kind);
  const auto t = index_files(truth, "truth", kind);
  std::vector<std::string> no_truth, no_pred;
  std::vector<FilePair> pairs;
  for (const auto& [key, file] : p) {
    // A single file on both sides pairs whatever the names.
    const auto it = t.size() == 1 && p.size() == 1 ? t.begin() : t.find(key);
    if (it == t.end())
      no_truth.push_back(key);
    else
      pairs.push_back({key, file, it->second});
  }
  if (!(t.size() == 1 && p.size() == 1))
    for (const auto& [key, file] : t)
      if (!p.contains(key)) no_pred.push_back(key);
  REVGAN_CHECK(no_truth.empty(), "{} prediction(s) without a truth file of the same name in '{}': {}", no_truth.size(),
               truth.string(), list_some(no_truth));
  REVGAN_CHECK(no_pred.empty(), "{} truth file(s) without a prediction of the same name in '{}': {}", no_pred.size(),
               pred.string(), list_some(no_pred));
  return pairs;
}

Half parse_half(const std::string& text) {
  if (text == "whole") return Half::whole;
  if (text == "left" || text == "A") return Half::left;
  if (text == "right" || text == "B") return Half::right;
  REVGAN_FAIL("half must be whole, left (A) or right (B), got '{}'", text);
}

data::Image select_half(const data::Image& image, Half half) {
  if (half == Half::whole) return image;
  REVGAN_CHECK(image.width % 2 == 0, "an aligned A|B image needs an even width, got {}", image.width);
  const int64_t w = image.width / 2;
  return data::crop(image, half == Half::left ? 0 : w, 0, w, image.height);
}

Evaluation evaluate_labels(const std::vector<FilePair>& pairs, Half truth_half) {
  const auto palette = data::procedural::scene_palette();
  ConfusionMatrix cm(static_cast<int>(palette.size()));
  struct PerFile {
    std::string name;
    double pixel_accuracy, mean_iou;
  };
  std::vector<PerFile> per_file;
  for (const FilePair& p : pairs) {
    const LoadedPair l = load_pair(p, truth_half);
    ConfusionMatrix one(cm.classes());
    const auto truth = palette_classes(l.truth), pred = palette_classes(l.prediction);
    one.add(truth, pred);
    cm.add(truth, pred);
    per_file.push_back({p.name, one.pixel_accuracy(), one.mean_iou()});
  }

  std::string table = fmt::format("labels: {} image pair(s), {} pixels\n", pairs.size(), cm.total());
  table += fmt::format("  pixel accuracy       {}\n  mean class accuracy  {}\n  mean IoU             {}\n",
                       fixed(cm.pixel_accuracy()), fixed(cm.mean_class_accuracy()), fixed(cm.mean_iou()));
  table += fmt::format("  {:<14} {:>9} {:>9} {:>12} {:>12}\n", "class", "accuracy", "IoU", "truth px", "predicted px");
  JsonWriter j;
  j.begin_object().field("kind", "labels").field("pairs", static_cast<int64_t>(pairs.size()));
  j.field("pixels", cm.total()).field("pixel_accuracy", cm.pixel_accuracy());
  j.field("mean_class_accuracy", cm.mean_class_accuracy()).field("mean_iou", cm.mean_iou());
  j.key("classes").begin_array();
  for (int c = 0; c < cm.classes(); ++c) {
    const std::string name(palette[static_cast<std::size_t>(c)].name);
    table += fmt::format("  {:<14} {:>9} {:>9} {:>12} {:>12}\n", name, fixed(cm.class_accuracy(c)),
                         fixed(cm.class_iou(c)), cm.truth_count(c), cm.predicted_count(c));
    j.begin_object().field("name", name).field("accuracy", cm.class_accuracy(c)).field("iou", cm.class_iou(c));
    j.field("truth_pixels", cm.truth_count(c)).field("predicted_pixels", cm.predicted_count(c)).end_object();
  }
  j.end_array();
  j.key("confusion").begin_array();  // rows: truth class, columns: predicted class
  for (int t = 0; t < cm.classes(); ++t) {
    j.begin_array();
    for (int q = 0; q < cm.classes(); ++q) j.value(cm.count(t, q));
    j.end_array();
  }
  j.end_array();
  j.key("files").begin_array();
  for (const PerFile& f : per_file)
    j.begin_object().field("name", f.name).field("pixel_accuracy", f.pixel_accuracy).field("mean_iou", f.mean_iou).end_object();
  j.end_array().end_object();
  return {table, j.str()};
}

Evaluation evaluate_images(const std::vector<FilePair>& pairs, Half truth_half, const SsimOptions& ssim) {
  std::vector<ImageScores> scores;
  ImageScores mean;
  for (const FilePair& p : pairs) {
    const LoadedPair l = load_pair(p, truth_half);
    scores.push_back(compare_images(l.prediction, l.truth, ssim));
    mean.mae += scores.back().mae;
    mean.psnr += scores.back().psnr;  // one identical pair makes the mean infinite
    mean.ssim += scores.back().ssim;
  }
  const double n = static_cast<double>(pairs.size());
  mean.mae /= n;
  mean.psnr /= n;
  mean.ssim /= n;
  JsonWriter j;
  j.begin_object().field("kind", "images").field("pairs", static_cast<int64_t>(pairs.size()));
  j.field("mae", mean.mae).field("psnr", mean.psnr).field("ssim", mean.ssim);
  j.key("files").begin_array();
  for (std::size_t i = 0; i < pairs.size(); ++i)
    j.begin_object().field("name", pairs[i].name).field("mae", scores[i].mae).field("psnr", scores[i].psnr)
        .field("ssim", scores[i].ssim).end_object();
  j.end_array().end_object();
  std::string table = fmt::format("images: {} image pair(s) ([0, 255] scale; SSIM per channel, window 11, sigma 1.5)\n",
                                  pairs.size());
  table += fmt::format("  MAE   {}\n  PSNR  {} dB\n  SSIM  {}\n", fixed(mean.mae, 3), fixed(mean.psnr, 2),
                       fixed(mean.ssim));
  return {table, j.str()};
}

}  // namespace revgan::eval
