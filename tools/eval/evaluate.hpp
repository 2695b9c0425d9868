// Folder-level evaluation: pairs predictions with ground truth by file name and aggregates the
// label or image scores into a printable table and a JSON document.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tools/eval/image_metrics.hpp"
#include "tools/eval/label_metrics.hpp"

namespace revgan::eval {

struct FilePair {
  std::string name;  // relative path of the prediction without extension
  std::filesystem::path prediction, truth;
};

// Image (or volume) files under `pred` and `truth` (folders, searched recursively, or single
// files) paired by relative path without extension, so x.png matches x.jpg and x.nii.gz
// matches x.h5. Every prediction needs a truth and every truth a prediction; the error lists
// the unmatched names.
enum class FileKind { images, volumes };
std::vector<FilePair> match_files(const std::filesystem::path& pred, const std::filesystem::path& truth,
                                  FileKind kind = FileKind::images);

// Which part of each truth file to compare with: all of it, or the left (A) / right (B) half
// of a pix2pix aligned A|B image.
enum class Half { whole, left, right };
Half parse_half(const std::string& text);  // "whole" | "left" | "A" | "right" | "B"
data::Image select_half(const data::Image& image, Half half);

struct Evaluation {
  std::string table;  // human-readable summary
  std::string json;
};

Evaluation evaluate_labels(const std::vector<FilePair>& pairs, Half truth_half);
Evaluation evaluate_images(const std::vector<FilePair>& pairs, Half truth_half, const SsimOptions& ssim = {});

}  // namespace revgan::eval
