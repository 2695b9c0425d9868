// Segmentation scores from a confusion matrix (rows: truth class, columns: predicted class):
// per-pixel accuracy, per-class accuracy and per-class IoU, as in the pix2pix "FCN score".
#pragma once

#include <cstdint>
#include <vector>

#include "data/image.hpp"

namespace revgan::eval {

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int classes);
  int classes() const { return classes_; }
  // Class maps of equal length; values must be < classes().
  void add(const std::vector<uint8_t>& truth, const std::vector<uint8_t>& prediction);
  int64_t count(int truth, int predicted) const;
  int64_t total() const { return total_; }
  int64_t truth_count(int c) const;      // row sum
  int64_t predicted_count(int c) const;  // column sum

  double pixel_accuracy() const;
  // NaN for a class absent from the truth (then left out of the mean).
  double class_accuracy(int c) const;
  // NaN for a class in neither truth nor prediction (left out of the mean).
  double class_iou(int c) const;
  double mean_class_accuracy() const;
  double mean_iou() const;

 private:
  int classes_;
  int64_t total_ = 0;
  std::vector<int64_t> counts_;
};

// The nearest colour of the built-in scene palette per pixel (labels are RGB images).
std::vector<uint8_t> palette_classes(const data::Image& label);

}  // namespace revgan::eval
