// CUDA against CPU for every op family, float32 and float64: outputs and gradients, on odd
// sizes, batch > 1, 1x1 maps, pads of size - 1, and a dimension (or instance count) over
// 65,535 so that no kernel can hide batch or channels in gridDim.y / .z.
#include <catch2/catch.hpp>

#include "engine/ops/activation.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/channels.hpp"
#include "engine/ops/conv.hpp"
#include "engine/ops/instance_norm.hpp"
#include "engine/ops/loss.hpp"
#include "engine/ops/pad.hpp"
#include "engine/ops/reduce.hpp"
#include "engine/ops/upsample.hpp"
#include "tests/cuda/parity.hpp"
#include "tests/support/cuda_skip.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;
using test::ParityCase;
using test::ParityInput;
using Inputs = std::vector<Tensor>;
using Outputs = std::vector<Tensor>;

namespace {

constexpr int64_t k_wide = 70000;  // over gridDim.y/z's limit of 65,535

ParityInput in(Shape s) {
  return ParityInput{std::move(s)};
}
ParityInput uniform(Shape s, double lo, double hi, bool grad = true) {
  return ParityInput{std::move(s), lo, hi, grad};
}
ParityInput constant_input(Shape s) {
  return ParityInput{std::move(s), 0, 0, false};
}

template <class F>
ParityCase unary(std::string name, Shape s, F f) {
  return ParityCase{std::move(name), {in(std::move(s))}, [f](const Inputs& x) { return Outputs{f(x[0])}; }};
}

}  // namespace

TEST_CASE("cuda parity: element-wise arithmetic and activations", "[cuda][op][grad][parity]") {
  test::skip_without_cuda_device();
  std::vector<ParityCase> cases;
  for (const Shape& s : {Shape{2, 3, 5, 7}, Shape{1, 1, 1, k_wide}}) {
    const std::string tag = fmt::format(" {}", s.str());
    cases.push_back({"add" + tag, {in(s), in(s)}, [](const Inputs& x) { return Outputs{ops::add(x[0], x[1])}; }});
    cases.push_back({"sub" + tag, {in(s), in(s)}, [](const Inputs& x) { return Outputs{ops::sub(x[0], x[1])}; }});
    cases.push_back({"mul" + tag, {in(s), in(s)}, [](const Inputs& x) { return Outputs{ops::mul(x[0], x[1])}; }});
    cases.push_back(unary("scale" + tag, s, [](const Tensor& x) { return ops::scale(x, -1.5); }));
    cases.push_back(unary("relu" + tag, s, [](const Tensor& x) { return ops::relu(x); }));
    cases.push_back(unary("leaky_relu" + tag, s, [](const Tensor& x) { return ops::leaky_relu(x, 0.2); }));
    cases.push_back(unary("tanh" + tag, s, [](const Tensor& x) { return ops::tanh(x); }));
    cases.push_back(unary("sigmoid" + tag, s, [](const Tensor& x) { return ops::sigmoid(ops::scale(x, 8.0)); }));
  }
  test::check_parity_all(cases);
}

TEST_CASE("cuda parity: sums and losses", "[cuda][op][grad][parity]") {
  test::skip_without_cuda_device();
  std::vector<ParityCase> cases;
  // The last shape needs more stage-1 blocks than the reduction's fixed partial count.
  for (const Shape& s : {Shape{2, 3, 5, 7}, Shape{1, 1, 1, k_wide}, Shape{4, 8, 131, 129}}) {
    const std::string tag = fmt::format(" {}", s.str());
    cases.push_back(unary("sum" + tag, s, [](const Tensor& x) { return ops::sum(x); }));
    cases.push_back(unary("mean" + tag, s, [](const Tensor& x) { return ops::mean(x); }));
  }
  for (const Shape& s : {Shape{2, 3, 5, 7}, Shape{1, 1, 1, k_wide}}) {
    const std::string tag = fmt::format(" {}", s.str());
    cases.push_back({"l1_loss" + tag, {in(s), constant_input(s)}, [](const Inputs& x) {
                       return Outputs{ops::l1_loss(x[0], x[1])};
                     }});
    cases.push_back({"mse_loss" + tag, {in(s), constant_input(s)}, [](const Inputs& x) {
                       return Outputs{ops::mse_loss(x[0], x[1])};
                     }});
    cases.push_back({"bce_loss" + tag, {uniform(s, 0.02, 0.98), uniform(s, 0.0, 1.0, false)}, [](const Inputs& x) {
                       return Outputs{ops::bce_loss(x[0], x[1])};
                     }});
    cases.push_back({"bce_with_logits_loss" + tag, {in(s), uniform(s, 0.0, 1.0, false)}, [](const Inputs& x) {
                       return Outputs{ops::bce_with_logits_loss(ops::scale(x[0], 4.0), x[1])};
                     }});
  }
  test::check_parity_all(cases);
}

TEST_CASE("cuda parity: reflection and replication padding", "[cuda][op][grad][parity]") {
  test::skip_without_cuda_device();
  auto reflect = [](std::vector<int64_t> before, std::vector<int64_t> after) {
    return [=](const Inputs& x) { return Outputs{ops::reflection_pad(x[0], before, after)}; };
  };
  auto replicate = [](std::vector<int64_t> before, std::vector<int64_t> after) {
    return [=](const Inputs& x) { return Outputs{ops::replication_pad(x[0], before, after)}; };
  };
  std::vector<ParityCase> cases{
      {"reflect 2D pad 1", {in({2, 3, 5, 7})}, reflect({1}, {1})},
      {"reflect 2D pad size-1, asymmetric", {in({1, 2, 5, 7})}, reflect({4, 6}, {2, 1})},
      {"reflect 2D 3x3 map pad 2", {in({2, 1, 3, 3})}, reflect({2}, {2})},
      {"reflect 3D pad 1", {in({1, 2, 3, 4, 5})}, reflect({1}, {1})},
      {"reflect 3D pad size-1", {in({2, 1, 2, 3, 4})}, reflect({1, 2, 3}, {1, 2, 3})},
      {"replicate 2D large pads", {in({2, 1, 4, 3})}, replicate({3, 9}, {8, 2})},
      {"replicate 2D 1x1 map", {in({1, 2, 1, 1})}, replicate({2}, {3})},
      {"replicate 3D", {in({1, 2, 3, 2, 4})}, replicate({2, 1, 3}, {1, 4, 0})},
      {"reflect wide row", {in({1, 1, 1, k_wide})}, reflect({0, 3}, {0, 2})},
      {"replicate wide row", {in({1, 1, 1, k_wide})}, replicate({2, 3}, {1, 5})},
  };
  test::check_parity_all(cases);
}

TEST_CASE("cuda parity: instance norm", "[cuda][op][grad][parity]") {
  test::skip_without_cuda_device();
  auto norm = [](const Inputs& x) { return Outputs{ops::instance_norm(x[0])}; };
  std::vector<ParityCase> cases{
      {"2D batch 2", {in({2, 3, 5, 7})}, norm},
      {"3D", {in({1, 2, 3, 4, 5})}, norm},
      {"large planes", {in({2, 4, 64, 64})}, norm},
      {"wide row", {in({1, 1, 1, k_wide})}, norm},
      {"more instances than 65,535", {in({1, k_wide, 2, 2})}, norm},
      // A large mean: the two-pass variance must not cancel (inputs shifted by 100).
      {"offset input",
       {in({2, 3, 9, 8})},
       [](const Inputs& x) {
         return Outputs{
             ops::instance_norm(ops::add(x[0], ops::full(x[0].shape(), 100.0, x[0].dtype(), x[0].device())))};
       }},
  };
  test::check_parity_all(cases);
}

TEST_CASE("cuda parity: linear up-sampling", "[cuda][op][grad][parity]") {
  test::skip_without_cuda_device();
  auto up = [](std::vector<int64_t> size) {
    return [=](const Inputs& x) { return Outputs{ops::upsample_linear(x[0], size)}; };
  };
  std::vector<ParityCase> cases{
      {"2D x2", {in({2, 3, 5, 7})}, up({10, 14})},
      {"2D odd factors", {in({1, 2, 4, 6})}, up({7, 13})},
      {"2D down", {in({1, 2, 9, 8})}, up({4, 5})},
      {"2D one axis kept", {in({1, 1, 4, 5})}, up({4, 11})},
      {"2D 1x1 map", {in({2, 2, 1, 1})}, up({3, 2})},
      {"3D", {in({1, 2, 3, 4, 5})}, up({6, 8, 10})},
      {"3D mixed", {in({1, 1, 4, 3, 5})}, up({2, 7, 5})},
      {"wide row", {in({1, 1, 1, k_wide})}, up({1, 2 * k_wide + 1})},
  };
  test::check_parity_all(cases);
}

TEST_CASE("cuda parity: channel concat, split and slice", "[cuda][op][grad][parity]") {
  test::skip_without_cuda_device();
  std::vector<ParityCase> cases{
      {"concat 3 parts",
       {in({2, 1, 3, 4}), in({2, 3, 3, 4}), in({2, 2, 3, 4})},
       [](const Inputs& x) {
         return Outputs{ops::concat_channels({x[0], x[1], x[2]})};
       }},
      {"concat 3D",
       {in({1, 2, 2, 3, 4}), in({1, 1, 2, 3, 4})},
       [](const Inputs& x) {
         return Outputs{ops::concat_channels({x[0], x[1]})};
       }},
      {"split",
       {in({2, 6, 3, 4})},
       [](const Inputs& x) {
         return ops::split_channels(x[0], {1, 3, 2});
       }},
      {"slice", {in({2, 5, 3, 4})}, [](const Inputs& x) { return Outputs{ops::slice_channels(x[0], 1, 3)}; }},
      {"wide concat",
       {in({1, 1, 1, k_wide}), in({1, 2, 1, k_wide})},
       [](const Inputs& x) {
         return Outputs{ops::concat_channels({x[0], x[1]})};
       }},
  };
  test::check_parity_all(cases);
}

TEST_CASE("cuda parity: convolution through cuDNN", "[cuda][op][grad][parity]") {
  test::skip_without_cuda_device();
  auto conv = [](std::vector<int64_t> stride, std::vector<int64_t> padding, bool bias) {
    return [=](const Inputs& x) {
      return Outputs{ops::conv(x[0], x[1], bias ? x[2] : Tensor(), ops::ConvOptions{stride, padding})};
    };
  };
  const double tol = test::tolerance::cudnn_conv_float32;
  std::vector<ParityCase> cases{
      {"2D 3x3 pad 1", {in({2, 4, 9, 7}), in({5, 4, 3, 3}), in({5})}, conv({1}, {1}, true), tol},
      {"2D 7x7 stem", {in({1, 3, 14, 13}), in({4, 3, 7, 7}), in({4})}, conv({1}, {0}, true), tol},
      {"2D 3x3 stride 2", {in({2, 4, 9, 8}), in({6, 4, 3, 3}), in({6})}, conv({2}, {1}, true), tol},
      {"2D 1x1 no bias", {in({2, 8, 5, 5}), in({3, 8, 1, 1})}, conv({1}, {0}, false), tol},
      {"2D pad size-1", {in({1, 2, 3, 3}), in({2, 2, 3, 3}), in({2})}, conv({1}, {2}, true), tol},
      {"3D 3x3x3 pad 1", {in({1, 2, 5, 6, 7}), in({3, 2, 3, 3, 3}), in({3})}, conv({1}, {1}, true), tol},
      {"3D stride 2", {in({2, 2, 7, 6, 5}), in({2, 2, 3, 3, 3}), in({2})}, conv({2}, {1}, true), tol},
  };
  test::check_parity_all(cases);
}

TEST_CASE("cuda parity: transposed convolution (cuBLAS + gather)", "[cuda][op][grad][parity]") {
  test::skip_without_cuda_device();
  auto deconv = [](std::vector<int64_t> stride, std::vector<int64_t> padding, std::vector<int64_t> out_pad, bool bias) {
    return [=](const Inputs& x) {
      return Outputs{
          ops::conv_transpose(x[0], x[1], bias ? x[2] : Tensor(), ops::ConvTransposeOptions{stride, padding, out_pad})};
    };
  };
  std::vector<ParityCase> cases{
      {"2D k3 s2 p1 op1", {in({2, 4, 5, 6}), in({4, 3, 3, 3}), in({3})}, deconv({2}, {1}, {1}, true)},
      {"2D 1x1", {in({2, 4, 5, 5}), in({4, 6, 1, 1}), in({6})}, deconv({1}, {0}, {0}, true)},
      {"2D k4 s2 p1 no bias", {in({1, 3, 4, 5}), in({3, 2, 4, 4})}, deconv({2}, {1}, {0}, false)},
      {"3D k3 s2 p1 op1", {in({1, 2, 3, 4, 5}), in({2, 3, 3, 3, 3}), in({3})}, deconv({2}, {1}, {1}, true)},
      {"3D k2 s2", {in({2, 2, 3, 3, 3}), in({2, 2, 2, 2, 2}), in({2})}, deconv({2}, {0}, {0}, true)},
  };
  test::check_parity_all(cases);
}
