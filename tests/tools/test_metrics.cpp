// Metric values on inputs whose answers are known by hand: identical inputs, constant images,
// a small confusion matrix, the palette mapping and the JSON conventions.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "data/procedural/palette.hpp"
#include "tests/data/data_test_util.hpp"
#include "tools/eval/evaluate.hpp"
#include "tools/eval/image_metrics.hpp"
#include "tools/eval/json_writer.hpp"
#include "tools/eval/label_metrics.hpp"

using namespace revgan;

namespace {
data::Image constant_image(int64_t w, int64_t h, int64_t c, float v) { return data::Image::blank(w, h, c, 8, v); }
}  // namespace

TEST_CASE("image metrics: identical images give MAE 0, SSIM 1 and infinite PSNR", "[tool]") {
  const data::Image a = test::random_image(40, 30, 3, 11);
  const eval::ImageScores s = eval::compare_images(a, a);
  REQUIRE(s.mae == 0.0);
  REQUIRE(std::isinf(s.psnr));
  REQUIRE(s.psnr > 0);
  REQUIRE(s.ssim == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("image metrics: constant images have closed-form MAE, PSNR and SSIM", "[tool]") {
  const data::Image a = constant_image(16, 16, 1, 100), b = constant_image(16, 16, 1, 110);
  const eval::ImageScores s = eval::compare_images(a, b);
  REQUIRE(s.mae == Approx(10.0));
  REQUIRE(s.psnr == Approx(10 * std::log10(255.0 * 255.0 / 100.0)));
  // Zero variances: SSIM reduces to the luminance term (2 mu_a mu_b + C1) / (mu_a^2 + mu_b^2 + C1).
  const double c1 = (0.01 * 255) * (0.01 * 255);
  REQUIRE(s.ssim == Approx((2 * 100.0 * 110.0 + c1) / (100.0 * 100 + 110.0 * 110 + c1)));
  // A 16-bit image is scored on the same [0, 255] scale.
  data::Image a16 = constant_image(16, 16, 1, 100 * 257.0f);
  a16.bit_depth = 16;
  REQUIRE(eval::compare_images(a16, b).mae == Approx(10.0));
}

TEST_CASE("image metrics: SSIM drops with noise and is symmetric", "[tool]") {
  const data::Image a = test::smooth_image(48, 48, 3, 2);
  data::Image b = a;
  Generator gen(3);
  for (float& v : b.samples) v = std::clamp(v + static_cast<float>(gen.normal() * 20), 0.0f, 255.0f);
  const double ab = eval::compare_images(a, b).ssim, ba = eval::compare_images(b, a).ssim;
  REQUIRE(ab < 0.9);
  REQUIRE(ab > 0.0);
  REQUIRE(ab == Approx(ba).epsilon(1e-12));
}

TEST_CASE("label metrics: identical label maps score 1", "[tool]") {
  std::vector<uint8_t> classes;
  for (int i = 0; i < 64; ++i) classes.push_back(static_cast<uint8_t>(i % 5));
  eval::ConfusionMatrix cm(10);
  cm.add(classes, classes);
  REQUIRE(cm.pixel_accuracy() == 1.0);
  REQUIRE(cm.mean_class_accuracy() == 1.0);
  REQUIRE(cm.mean_iou() == 1.0);
  REQUIRE(std::isnan(cm.class_iou(7)));  // absent everywhere: left out of the mean
}

TEST_CASE("label metrics: a hand-computed confusion case", "[tool]") {
  // truth 0 0 0 1 1 2, predicted 0 1 0 1 1 1:
  //   class 0: 2 of 3 right, IoU 2 / (3 + 2 - 2) = 2/3
  //   class 1: 2 of 2 right, IoU 2 / (2 + 4 - 2) = 1/2
  //   class 2: 0 of 1 right, IoU 0 / (1 + 0 - 0) = 0
  eval::ConfusionMatrix cm(3);
  cm.add({0, 0, 0, 1, 1, 2}, {0, 1, 0, 1, 1, 1});
  REQUIRE(cm.count(0, 1) == 1);
  REQUIRE(cm.count(2, 1) == 1);
  REQUIRE(cm.pixel_accuracy() == Approx(4.0 / 6.0));
  REQUIRE(cm.class_accuracy(0) == Approx(2.0 / 3.0));
  REQUIRE(cm.class_accuracy(2) == 0.0);
  REQUIRE(cm.mean_class_accuracy() == Approx((2.0 / 3.0 + 1.0 + 0.0) / 3.0));
  REQUIRE(cm.class_iou(0) == Approx(2.0 / 3.0));
  REQUIRE(cm.class_iou(1) == Approx(0.5));
  REQUIRE(cm.mean_iou() == Approx((2.0 / 3.0 + 0.5 + 0.0) / 3.0));
  REQUIRE_THROWS_WITH(cm.add({0, 1}, {0}), Catch::Contains("2 truth vs 1 predicted"));
}

TEST_CASE("label metrics: label images map to the nearest palette colour", "[tool]") {
  const std::vector<uint8_t> classes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 0};
  data::Image label = data::procedural::classes_to_label_image(classes, 4, 3);
  label.at(0, 0, 0) += 6;  // mild compression noise keeps the class
  REQUIRE(eval::palette_classes(label) == classes);
}

TEST_CASE("json writer: infinity as the string inf, NaN as null", "[tool]") {
  eval::JsonWriter j;
  j.begin_object().field("psnr", std::numeric_limits<double>::infinity()).field("iou", std::nan(""));
  j.field("name", "a\"b").key("list").begin_array().value(int64_t{1}).value(0.5).end_array().end_object();
  const std::string s = j.str();
  REQUIRE_THAT(s, Catch::Contains("\"psnr\": \"inf\""));
  REQUIRE_THAT(s, Catch::Contains("\"iou\": null"));
  REQUIRE_THAT(s, Catch::Contains("\"name\": \"a\\\"b\""));
  REQUIRE_THAT(s, Catch::Contains("1,"));
}

TEST_CASE("evaluate: folders pair by name, halves of aligned truth, mismatches are errors", "[tool]") {
  test::TempDir dir("eval");
  const std::vector<uint8_t> classes = {0, 0, 7, 7, 2, 2, 9, 9, 0, 7, 2, 9, 0, 0, 0, 0};
  const data::Image label = data::procedural::classes_to_label_image(classes, 4, 4);
  const data::Image photo = test::random_image(4, 4, 3, 5);
  std::filesystem::create_directories(dir / "pred");
  std::filesystem::create_directories(dir / "truth");
  data::write_png(label, dir / "pred" / "x.png");
  data::write_png(data::concat_horizontal(photo, label), dir / "truth" / "x.png");
  const auto pairs = eval::match_files(dir / "pred", dir / "truth");
  REQUIRE(pairs.size() == 1);
  const eval::Evaluation e = eval::evaluate_labels(pairs, eval::Half::right);
  REQUIRE_THAT(e.json, Catch::Contains("\"pixel_accuracy\": 1,"));
  REQUIRE_THAT(e.json, Catch::Contains("\"mean_iou\": 1,"));
  REQUIRE_THROWS_WITH(eval::evaluate_labels(pairs, eval::Half::whole), Catch::Contains("is 4x4 but its truth"));

  data::write_png(label, dir / "pred" / "y.png");
  REQUIRE_THROWS_WITH(eval::match_files(dir / "pred", dir / "truth"), Catch::Contains("without a truth file"));
}
