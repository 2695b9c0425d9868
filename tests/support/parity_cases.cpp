// The CUDA parity cases, family by family: float32 and float64 on odd sizes, batch > 1, 1x1 maps,
// pads of size - 1, and a dimension (or instance count) over 65,535 so that no kernel can hide
// batch or channels in gridDim.y / .z.
#include "tests/support/parity_cases.hpp"

#include "engine/core/check.hpp"
#include "engine/ops/activation.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/batch_norm.hpp"
#include "engine/ops/channels.hpp"
#include "engine/ops/conv.hpp"
#include "engine/ops/dropout.hpp"
#include "engine/ops/instance_norm.hpp"
#include "engine/ops/loss.hpp"
#include "engine/ops/pad.hpp"
#include "engine/ops/reduce.hpp"
#include "engine/ops/upsample.hpp"
#include "tests/support/tolerance.hpp"

namespace revgan::test {

namespace {

using ops::OpKind;
using Inputs = std::vector<Tensor>;
using Outputs = std::vector<Tensor>;

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
ParityCase unary(std::string name, std::vector<OpKind> op, Shape s, F f) {
  return ParityCase{
      std::move(name), std::move(op), {in(std::move(s))}, [f](const Inputs& x) { return Outputs{f(x[0])}; }};
}

std::vector<ParityCase> elementwise_cases() {
  std::vector<ParityCase> cases;
  for (const Shape& s : {Shape{2, 3, 5, 7}, Shape{1, 1, 1, k_wide}}) {
    const std::string tag = fmt::format(" {}", s.str());
    cases.push_back(
        {"add" + tag, {OpKind::add}, {in(s), in(s)}, [](const Inputs& x) { return Outputs{ops::add(x[0], x[1])}; }});
    cases.push_back(
        {"sub" + tag, {OpKind::sub}, {in(s), in(s)}, [](const Inputs& x) { return Outputs{ops::sub(x[0], x[1])}; }});
    cases.push_back(
        {"mul" + tag, {OpKind::mul}, {in(s), in(s)}, [](const Inputs& x) { return Outputs{ops::mul(x[0], x[1])}; }});
    cases.push_back(unary("scale" + tag, {OpKind::scale}, s, [](const Tensor& x) { return ops::scale(x, -1.5); }));
    cases.push_back(unary("relu" + tag, {OpKind::relu}, s, [](const Tensor& x) { return ops::relu(x); }));
    cases.push_back(
        unary("leaky_relu" + tag, {OpKind::leaky_relu}, s, [](const Tensor& x) { return ops::leaky_relu(x, 0.2); }));
    cases.push_back(unary("tanh" + tag, {OpKind::tanh}, s, [](const Tensor& x) { return ops::tanh(x); }));
    cases.push_back(
        unary("sigmoid" + tag, {OpKind::sigmoid}, s, [](const Tensor& x) { return ops::sigmoid(ops::scale(x, 8.0)); }));
    // 1 / sigmoid(x) = 1 + exp(-x): inputs in (0, 1), outputs from 1 up to about 50.
    cases.push_back(unary("reciprocal" + tag, {OpKind::reciprocal}, s,
                          [](const Tensor& x) { return ops::reciprocal(ops::sigmoid(x)); }));
  }
  return cases;
}

std::vector<ParityCase> reduction_cases() {
  std::vector<ParityCase> cases;
  // The last shape needs more stage-1 blocks than the reduction's fixed partial count.
  for (const Shape& s : {Shape{2, 3, 5, 7}, Shape{1, 1, 1, k_wide}, Shape{4, 8, 131, 129}}) {
    const std::string tag = fmt::format(" {}", s.str());
    cases.push_back(unary("sum" + tag, {OpKind::sum}, s, [](const Tensor& x) { return ops::sum(x); }));
    cases.push_back(unary("mean" + tag, {OpKind::mean}, s, [](const Tensor& x) { return ops::mean(x); }));
  }
  for (const Shape& s : {Shape{2, 3, 5, 7}, Shape{1, 1, 1, k_wide}}) {
    const std::string tag = fmt::format(" {}", s.str());
    cases.push_back({"l1_loss" + tag, {OpKind::l1_loss}, {in(s), constant_input(s)}, [](const Inputs& x) {
                       return Outputs{ops::l1_loss(x[0], x[1])};
                     }});
    cases.push_back({"mse_loss" + tag, {OpKind::mse_loss}, {in(s), constant_input(s)}, [](const Inputs& x) {
                       return Outputs{ops::mse_loss(x[0], x[1])};
                     }});
    cases.push_back({"bce_loss" + tag,
                     {OpKind::bce_loss},
                     {uniform(s, 0.02, 0.98), uniform(s, 0.0, 1.0, false)},
                     [](const Inputs& x) { return Outputs{ops::bce_loss(x[0], x[1])}; }});
    cases.push_back({"bce_with_logits_loss" + tag,
                     {OpKind::bce_with_logits_loss},
                     {in(s), uniform(s, 0.0, 1.0, false)},
                     [](const Inputs& x) { return Outputs{ops::bce_with_logits_loss(ops::scale(x[0], 4.0), x[1])}; }});
  }
  return cases;
}

std::vector<ParityCase> padding_cases() {
  auto reflect = [](std::vector<int64_t> before, std::vector<int64_t> after) {
    return [=](const Inputs& x) { return Outputs{ops::reflection_pad(x[0], before, after)}; };
  };
  auto replicate = [](std::vector<int64_t> before, std::vector<int64_t> after) {
    return [=](const Inputs& x) { return Outputs{ops::replication_pad(x[0], before, after)}; };
  };
  const std::vector<OpKind> rf{OpKind::reflection_pad}, rp{OpKind::replication_pad};
  return {
      {"reflect 2D pad 1", rf, {in({2, 3, 5, 7})}, reflect({1}, {1})},
      {"reflect 2D pad size-1, asymmetric", rf, {in({1, 2, 5, 7})}, reflect({4, 6}, {2, 1})},
      {"reflect 2D 3x3 map pad 2", rf, {in({2, 1, 3, 3})}, reflect({2}, {2})},
      {"reflect 3D pad 1", rf, {in({1, 2, 3, 4, 5})}, reflect({1}, {1})},
      {"reflect 3D pad size-1", rf, {in({2, 1, 2, 3, 4})}, reflect({1, 2, 3}, {1, 2, 3})},
      {"replicate 2D large pads", rp, {in({2, 1, 4, 3})}, replicate({3, 9}, {8, 2})},
      {"replicate 2D 1x1 map", rp, {in({1, 2, 1, 1})}, replicate({2}, {3})},
      {"replicate 3D", rp, {in({1, 2, 3, 2, 4})}, replicate({2, 1, 3}, {1, 4, 0})},
      {"reflect wide row", rf, {in({1, 1, 1, k_wide})}, reflect({0, 3}, {0, 2})},
      {"replicate wide row", rp, {in({1, 1, 1, k_wide})}, replicate({2, 3}, {1, 5})},
  };
}

std::vector<ParityCase> instance_norm_cases() {
  auto norm = [](const Inputs& x) { return Outputs{ops::instance_norm(x[0])}; };
  const std::vector<OpKind> op{OpKind::instance_norm};
  return {
      {"2D batch 2", op, {in({2, 3, 5, 7})}, norm},
      {"3D", op, {in({1, 2, 3, 4, 5})}, norm},
      {"large planes", op, {in({2, 4, 64, 64})}, norm},
      {"wide row", op, {in({1, 1, 1, k_wide})}, norm},
      {"more instances than 65,535", op, {in({1, k_wide, 2, 2})}, norm},
      // A large mean: the two-pass variance must not cancel (inputs shifted by 100).
      {"offset input",
       op,
       {in({2, 3, 9, 8})},
       [](const Inputs& x) {
         return Outputs{
             ops::instance_norm(ops::add(x[0], ops::full(x[0].shape(), 100.0, x[0].dtype(), x[0].device())))};
       }},
  };
}

// Batch norm's outputs include the updated running statistics (no gradient), so the running
// update is compared too.
std::vector<ParityCase> batch_norm_cases() {
  auto bn = [](bool training, bool affine) {
    return [=](const Inputs& x) {
      ops::BatchNormOptions o;
      o.training = training;
      Tensor rm = x[3].detach().clone(), rv = x[4].detach().clone();
      Tensor y = ops::batch_norm(x[0], affine ? x[1] : Tensor(), affine ? x[2] : Tensor(), rm, rv, o);
      return Outputs{y, rm, rv};
    };
  };
  const std::vector<OpKind> op{OpKind::batch_norm};
  auto inputs = [](Shape s, bool affine = true) {
    const int64_t c = s[1];
    return std::vector<ParityInput>{in(s), ParityInput{{c}, 0, 0, affine}, ParityInput{{c}, 0, 0, affine},
                                    uniform({c}, -0.5, 0.5, false), uniform({c}, 0.5, 2.0, false)};
  };
  return {
      {"2D train affine", op, inputs({3, 4, 5, 7}), bn(true, true)},
      {"2D eval affine", op, inputs({2, 3, 5, 7}), bn(false, true)},
      {"3D train", op, inputs({2, 2, 3, 4, 5}, false), bn(true, false)},
      {"1x1 maps, batch 6", op, inputs({6, 3, 1, 1}), bn(true, true)},
      {"large planes", op, inputs({2, 4, 64, 64}), bn(true, true)},
      {"wide row", op, inputs({1, 2, 1, k_wide}), bn(true, true)},
      {"more channels than 65,535", op, inputs({2, k_wide, 1, 2}), bn(true, true)},
  };
}

// The mask is a function of (seed, index) on both backends: outputs and gradients agree exactly.
std::vector<ParityCase> dropout_cases() {
  auto drop = [](double p) {
    return [=](const Inputs& x) {
      Generator gen(11);
      return Outputs{ops::dropout(x[0], p, true, gen)};
    };
  };
  const std::vector<OpKind> op{OpKind::dropout};
  return {
      {"p 0.5", op, {in({2, 3, 5, 7})}, drop(0.5)},
      {"p 0.2 wide row", op, {in({1, 1, 1, k_wide})}, drop(0.2)},
  };
}

std::vector<ParityCase> upsample_cases() {
  auto up = [](std::vector<int64_t> size) {
    return [=](const Inputs& x) { return Outputs{ops::upsample_linear(x[0], size)}; };
  };
  const std::vector<OpKind> op{OpKind::upsample_linear};
  return {
      {"2D x2", op, {in({2, 3, 5, 7})}, up({10, 14})},
      {"2D odd factors", op, {in({1, 2, 4, 6})}, up({7, 13})},
      {"2D down", op, {in({1, 2, 9, 8})}, up({4, 5})},
      {"2D one axis kept", op, {in({1, 1, 4, 5})}, up({4, 11})},
      {"2D 1x1 map", op, {in({2, 2, 1, 1})}, up({3, 2})},
      {"3D", op, {in({1, 2, 3, 4, 5})}, up({6, 8, 10})},
      {"3D mixed", op, {in({1, 1, 4, 3, 5})}, up({2, 7, 5})},
      {"wide row", op, {in({1, 1, 1, k_wide})}, up({1, 2 * k_wide + 1})},
  };
}

std::vector<ParityCase> channel_cases() {
  return {
      {"concat 3 parts",
       {OpKind::concat},
       {in({2, 1, 3, 4}), in({2, 3, 3, 4}), in({2, 2, 3, 4})},
       [](const Inputs& x) {
         return Outputs{ops::concat_channels({x[0], x[1], x[2]})};
       }},
      {"concat 3D",
       {OpKind::concat},
       {in({1, 2, 2, 3, 4}), in({1, 1, 2, 3, 4})},
       [](const Inputs& x) {
         return Outputs{ops::concat_channels({x[0], x[1]})};
       }},
      {"split",
       {OpKind::split},
       {in({2, 6, 3, 4})},
       [](const Inputs& x) {
         return ops::split_channels(x[0], {1, 3, 2});
       }},
      {"slice",
       {OpKind::split},
       {in({2, 5, 3, 4})},
       [](const Inputs& x) { return Outputs{ops::slice_channels(x[0], 1, 3)}; }},
      {"wide concat",
       {OpKind::concat},
       {in({1, 1, 1, k_wide}), in({1, 2, 1, k_wide})},
       [](const Inputs& x) {
         return Outputs{ops::concat_channels({x[0], x[1]})};
       }},
  };
}

std::vector<ParityCase> conv_cases() {
  auto conv = [](std::vector<int64_t> stride, std::vector<int64_t> padding, bool bias) {
    return [=](const Inputs& x) {
      return Outputs{ops::conv(x[0], x[1], bias ? x[2] : Tensor(), ops::ConvOptions{stride, padding})};
    };
  };
  const double tol = tolerance::cudnn_conv_float32;
  const std::vector<OpKind> op{OpKind::conv};
  return {
      {"2D 3x3 pad 1", op, {in({2, 4, 9, 7}), in({5, 4, 3, 3}), in({5})}, conv({1}, {1}, true), tol},
      {"2D 7x7 stem", op, {in({1, 3, 14, 13}), in({4, 3, 7, 7}), in({4})}, conv({1}, {0}, true), tol},
      {"2D 3x3 stride 2", op, {in({2, 4, 9, 8}), in({6, 4, 3, 3}), in({6})}, conv({2}, {1}, true), tol},
      {"2D 1x1 no bias", op, {in({2, 8, 5, 5}), in({3, 8, 1, 1})}, conv({1}, {0}, false), tol},
      {"2D pad size-1", op, {in({1, 2, 3, 3}), in({2, 2, 3, 3}), in({2})}, conv({1}, {2}, true), tol},
      {"3D 3x3x3 pad 1", op, {in({1, 2, 5, 6, 7}), in({3, 2, 3, 3, 3}), in({3})}, conv({1}, {1}, true), tol},
      {"3D stride 2", op, {in({2, 2, 7, 6, 5}), in({2, 2, 3, 3, 3}), in({2})}, conv({2}, {1}, true), tol},
  };
}

std::vector<ParityCase> conv_transpose_cases() {
  auto deconv = [](std::vector<int64_t> stride, std::vector<int64_t> padding, std::vector<int64_t> out_pad, bool bias) {
    return [=](const Inputs& x) {
      return Outputs{
          ops::conv_transpose(x[0], x[1], bias ? x[2] : Tensor(), ops::ConvTransposeOptions{stride, padding, out_pad})};
    };
  };
  const std::vector<OpKind> op{OpKind::conv_transpose};
  return {
      {"2D k3 s2 p1 op1", op, {in({2, 4, 5, 6}), in({4, 3, 3, 3}), in({3})}, deconv({2}, {1}, {1}, true)},
      {"2D 1x1", op, {in({2, 4, 5, 5}), in({4, 6, 1, 1}), in({6})}, deconv({1}, {0}, {0}, true)},
      {"2D k4 s2 p1 no bias", op, {in({1, 3, 4, 5}), in({3, 2, 4, 4})}, deconv({2}, {1}, {0}, false)},
      {"3D k3 s2 p1 op1", op, {in({1, 2, 3, 4, 5}), in({2, 3, 3, 3, 3}), in({3})}, deconv({2}, {1}, {1}, true)},
      {"3D k2 s2", op, {in({2, 2, 3, 3, 3}), in({2, 2, 2, 2, 2}), in({2})}, deconv({2}, {0}, {0}, true)},
  };
}

}  // namespace

const std::vector<ParityFamily>& parity_families() {
  static const std::vector<ParityFamily> families{
      {"element-wise arithmetic and activations", elementwise_cases()},
      {"sums and losses", reduction_cases()},
      {"reflection and replication padding", padding_cases()},
      {"instance norm", instance_norm_cases()},
      {"batch norm", batch_norm_cases()},
      {"dropout", dropout_cases()},
      {"linear up-sampling", upsample_cases()},
      {"channel concat, split and slice", channel_cases()},
      {"convolution through cuDNN", conv_cases()},
      {"transposed convolution (cuBLAS + gather)", conv_transpose_cases()},
  };
  return families;
}

const ParityFamily& parity_family(std::string_view name) {
  for (const ParityFamily& f : parity_families())
    if (f.name == name) return f;
  REVGAN_FAIL("no CUDA parity family named '{}' in tests/support/parity_cases.cpp", name);
}

std::set<ops::OpKind> parity_covered_ops() {
  std::set<ops::OpKind> covered;
  for (const ParityFamily& f : parity_families())
    for (const ParityCase& c : f.cases) covered.insert(c.ops.begin(), c.ops.end());
  return covered;
}

}  // namespace revgan::test
