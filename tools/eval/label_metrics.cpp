// Confusion-matrix bookkeeping; classes that never occur are NaN so that means skip them.
#include "tools/eval/label_metrics.hpp"

#include <cmath>
#include <limits>

#include "data/procedural/palette.hpp"
#include "engine/core/check.hpp"

namespace revgan::eval {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

double mean_of_finite(const ConfusionMatrix& m, double (ConfusionMatrix::*score)(int) const) {
  double sum = 0;
  int n = 0;
  for (int c = 0; c < m.classes(); ++c)
    if (const double v = (m.*score)(c); !std::isnan(v)) {
      sum += v;
      ++n;
    }
  return n > 0 ? sum / n : nan;
}
}  // namespace

ConfusionMatrix::ConfusionMatrix(int classes)
    : classes_(classes), counts_(static_cast<std::size_t>(classes) * static_cast<std::size_t>(classes), 0) {
  REVGAN_CHECK(classes > 0, "ConfusionMatrix: need at least one class, got {}", classes);
}

void ConfusionMatrix::add(const std::vector<uint8_t>& truth, const std::vector<uint8_t>& prediction) {
  REVGAN_CHECK(truth.size() == prediction.size(), "ConfusionMatrix::add: {} truth vs {} predicted pixels",
               truth.size(), prediction.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    REVGAN_CHECK(truth[i] < classes_ && prediction[i] < classes_, "ConfusionMatrix::add: class out of range at {}",
                 i);
    ++counts_[static_cast<std::size_t>(truth[i]) * static_cast<std::size_t>(classes_) + prediction[i]];
  }
  total_ += static_cast<int64_t>(truth.size());
}

int64_t ConfusionMatrix::count(int truth, int predicted) const {
  return counts_[static_cast<std::size_t>(truth * classes_ + predicted)];
}

int64_t ConfusionMatrix::truth_count(int c) const {
  int64_t s = 0;
  for (int p = 0; p < classes_; ++p) s += count(c, p);
  return s;
}

int64_t ConfusionMatrix::predicted_count(int c) const {
  int64_t s = 0;
  for (int t = 0; t < classes_; ++t) s += count(t, c);
  return s;
}

double ConfusionMatrix::pixel_accuracy() const {
  if (total_ == 0) return nan;
  int64_t hit = 0;
  for (int c = 0; c < classes_; ++c) hit += count(c, c);
  return static_cast<double>(hit) / static_cast<double>(total_);
}

double ConfusionMatrix::class_accuracy(int c) const {
  const int64_t n = truth_count(c);
  return n == 0 ? nan : static_cast<double>(count(c, c)) / static_cast<double>(n);
}

double ConfusionMatrix::class_iou(int c) const {
  const int64_t uni = truth_count(c) + predicted_count(c) - count(c, c);
  return uni == 0 ? nan : static_cast<double>(count(c, c)) / static_cast<double>(uni);
}

double ConfusionMatrix::mean_class_accuracy() const { return mean_of_finite(*this, &ConfusionMatrix::class_accuracy); }
double ConfusionMatrix::mean_iou() const { return mean_of_finite(*this, &ConfusionMatrix::class_iou); }

std::vector<uint8_t> palette_classes(const data::Image& label) {
  const data::Image rgb = label.channels == 3 ? label : data::convert_channels(label, 3);
  return data::procedural::label_image_to_classes(rgb);
}

}  // namespace revgan::eval
