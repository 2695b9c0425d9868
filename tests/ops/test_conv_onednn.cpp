// The oneDNN CPU convolution backend (builds with oneDNN only): outputs and all three gradients
// of convs and transposed convs equal to the im2col reference within float32 rounding, over the
// geometries the models use and edge cases; which passes go to oneDNN; reproducible results; the backend switch and its errors.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <functional>

#include "engine/autograd/backward.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "engine/core/check.hpp"
#include "engine/ops/conv.hpp"
#include "engine/ops/cpu_conv_backend.hpp"
#include "kernels/cpu/onednn_conv_transpose.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;
using test::random_normal;

#ifdef REVGAN_WITH_ONEDNN

namespace {

struct OnednnCase {
  const char* name;
  Shape x, w;
  bool bias;
  ops::ConvOptions options;
  bool transposed = false;  // then w is [Cin, Cout, k...] and output_padding applies
  std::vector<int64_t> output_padding{0};
};

// The case's op: conv, or conv_transpose with the same stride and padding.
Tensor apply(const OnednnCase& c, const Tensor& x, const Tensor& w, const Tensor& b) {
  if (!c.transposed) return ops::conv(x, w, b, c.options);
  return ops::conv_transpose(x, w, b, {c.options.stride, c.options.padding, c.output_padding});
}

// Channel counts of at least 8 (oneDNN's range, ops::cpu_conv_uses_onednn) unless named.
const std::vector<OnednnCase>& onednn_cases() {
  static const std::vector<OnednnCase> cases{
      {"core 3x3, 64 channels", {1, 64, 18, 18}, {64, 64, 3, 3}, true, {{1}, {0}}},
      {"3x3 stride 2 pad 1, odd sizes", {1, 16, 17, 13}, {32, 16, 3, 3}, true, {{2}, {1}}},
      {"4x4 stride 2 pad 1, batch 2 (PatchGAN)", {2, 8, 20, 20}, {16, 8, 4, 4}, true, {{2}, {1}}},
      {"padding = kernel - 1", {1, 8, 6, 7}, {8, 8, 3, 3}, true, {{1}, {2}}},
      {"1x1", {2, 16, 9, 9}, {8, 16, 1, 1}, true, {{1}, {0}}},
      {"no bias", {1, 8, 10, 10}, {16, 8, 3, 3}, false, {{1}, {1}}},
      {"anisotropic kernel, stride and padding", {1, 8, 11, 9}, {8, 8, 3, 2}, true, {{2, 1}, {1, 0}}},
      {"7x7 from 3 channels (input gradient: im2col)", {1, 3, 22, 22}, {16, 3, 7, 7}, true, {{1}, {0}}},
      {"7x7 to 3 channels (forward, weight gradient: narrow kernels; input gradient: oneDNN's flipped forward)", {1, 16, 22, 22}, {3, 16, 7, 7}, true, {{1}, {0}}},
      {"5x3 to 2 channels, padding 2x1, batch 2 (input gradient: oneDNN's flipped forward)", {2, 8, 9, 12}, {2, 8, 5, 3}, true, {{1}, {2, 1}}},
      {"3D 3x3x3 to 3 channels (input gradient: oneDNN's flipped forward)", {1, 8, 6, 7, 5}, {3, 8, 3, 3, 3}, false, {{1}, {1}}},
      {"3D 3x3x3 pad 1", {1, 8, 6, 7, 5}, {8, 8, 3, 3, 3}, true, {{1}, {1}}},
      {"3D stride 2, batch 2", {2, 8, 7, 7, 7}, {16, 8, 3, 3, 3}, true, {{2}, {1}}},
      // Transposed (gradients only in oneDNN): the decoder's upsampling (output padding 1), odd
      // sizes without it, batch 2, no bias, 3D, to 3 channels, and from 3 (all im2col).
      {"transposed 3x3 s2 pad 1 out pad 1", {1, 32, 8, 8}, {32, 16, 3, 3}, true, {{2}, {1}}, true, {1}},
      {"transposed odd sizes, out pad 0", {1, 16, 7, 5}, {16, 8, 3, 3}, true, {{2}, {1}}, true, {0}},
      {"transposed 4x4 s2, batch 2, no bias", {2, 8, 6, 6}, {8, 16, 4, 4}, false, {{2}, {1}}, true, {0}},
      {"transposed 3D s2 out pad 1", {1, 16, 4, 5, 4}, {16, 8, 3, 3, 3}, true, {{2}, {1}}, true, {1}},
      {"transposed to 3 channels", {1, 16, 9, 9}, {16, 3, 3, 3}, true, {{2}, {1}}, true, {1}},
      {"transposed from 3 channels (all im2col)", {1, 3, 9, 9}, {3, 8, 3, 3}, true, {{2}, {1}}, true, {1}},
  };
  return cases;
}

// y, then the gradients of x, w (and b) for the upstream gradient g, all as double vectors.
std::vector<std::vector<double>> run_case(const OnednnCase& c, const std::vector<Tensor>& inputs, const Tensor& g,
                                          std::vector<bool> differentiable) {
  std::vector<Tensor> in;
  for (std::size_t i = 0; i < inputs.size(); ++i) in.push_back(inputs[i].clone().set_requires_grad(differentiable[i]));
  const Tensor y = apply(c, in[0], in[1], c.bias ? in[2] : Tensor());
  run_backward({y}, {g}, false);
  std::vector<std::vector<double>> out{y.to_vector()};
  for (const Tensor& t : in) out.push_back(t.requires_grad() ? t.grad().to_vector() : std::vector<double>{});
  return out;
}

// A random upstream gradient shaped like the case's output.
Tensor upstream_gradient(const OnednnCase& c, const std::vector<Tensor>& in, uint64_t seed) {
  NoGradScope no_grad;
  const Tensor y = apply(c, in[0], in[1], c.bias ? in[2] : Tensor());
  return random_normal(y.shape(), seed, DType::float32);
}

std::vector<Tensor> inputs_of(const OnednnCase& c, uint64_t seed) {
  std::vector<Tensor> in{random_normal(c.x, seed, DType::float32), random_normal(c.w, seed + 1, DType::float32)};
  if (c.bias) in.push_back(random_normal({c.transposed ? c.w[1] : c.w[0]}, seed + 2, DType::float32));
  return in;
}

std::vector<std::vector<double>> run_with(ops::CpuConvBackend backend, const OnednnCase& c,
                                          const std::vector<Tensor>& in, const Tensor& g,
                                          const std::vector<bool>& differentiable) {
  ops::CpuConvBackendScope scope(backend);
  return run_case(c, in, g, differentiable);
}

kernels::ConvGeometry geometry(int64_t cin, int64_t cout, int64_t k) {
  kernels::ConvGeometry g;
  g.in_channels = cin;
  g.out_channels = cout;
  g.input = {1, 16, 16};
  g.kernel = {1, k, k};
  g.output = {1, 16 - k + 1, 16 - k + 1};
  return g;
}

}  // namespace

TEST_CASE("oneDNN conv and conv_transpose equal the im2col kernels: output, input, weight and bias gradients",
          "[op]") {
  const char* names[] = {"y", "dx", "dw", "db"};
  // All inputs differentiable, then the weight frozen (dx only) and x frozen (dw, db only).
  const std::vector<std::vector<bool>> masks{{true, true, true}, {true, false, false}, {false, true, true}};
  uint64_t seed = 7100;
  for (const OnednnCase& c : onednn_cases()) {
    for (const auto& mask : masks) {
      INFO(c.name << ": x " << c.x.str() << ", w " << c.w.str() << ", differentiable x " << mask[0] << " w "
                  << mask[1]);
      const auto in = inputs_of(c, seed += 10);
      const Tensor g = upstream_gradient(c, in, seed + 5);
      const auto reference = run_with(ops::CpuConvBackend::im2col, c, in, g, mask);
      const auto actual = run_with(ops::CpuConvBackend::onednn, c, in, g, mask);
      REQUIRE(actual.size() == reference.size());
      for (std::size_t i = 0; i < actual.size(); ++i) {
        INFO(names[i]);
        REQUIRE(actual[i].size() == reference[i].size());
        if (reference[i].empty()) continue;
        REVGAN_REQUIRE_CLOSE(test::compare(actual[i], reference[i], test::tolerance::cpu_conv_backends_float32));
      }
    }
  }
}

TEST_CASE("oneDNN conv gives the same bits when run twice with the same thread count", "[op]") {
  const OnednnCase& c = onednn_cases()[2];  // batch 2: the weight gradient sums over the batch
  const auto in = inputs_of(c, 7700);
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(2);
  const Tensor g = upstream_gradient(c, in, 7705);
  const auto first = run_with(ops::CpuConvBackend::onednn, c, in, g, {true, true, true});
  const auto second = run_with(ops::CpuConvBackend::onednn, c, in, g, {true, true, true});
  omp_set_num_threads(saved_threads);
  for (std::size_t i = 0; i < first.size(); ++i) CHECK(first[i] == second[i]);
}

TEST_CASE("oneDNN builds a plan per OpenMP team size and matches im2col with each", "[op]") {
  // --cpu_threads adaptive changes the team between steps; a primitive is made for the team
  // size in force when it is created.
  const OnednnCase c{"3x3, 8 channels", {1, 8, 9, 9}, {8, 8, 3, 3}, true, {{1}, {1}}};
  const auto in = inputs_of(c, 7800);
  const Tensor g = upstream_gradient(c, in, 7805);
  const std::vector<bool> all{true, true, true};
  const auto reference = run_with(ops::CpuConvBackend::im2col, c, in, g, all);
  const int saved_threads = omp_get_max_threads();
  std::vector<int64_t> built;
  for (int team : {2, 1, 2, 1}) {
    INFO("team " << team);
    omp_set_num_threads(team);
    const auto actual = run_with(ops::CpuConvBackend::onednn, c, in, g, all);
    built.push_back(kernels::cpu::onednn::plans_built());
    REQUIRE(actual.size() == reference.size());
    for (std::size_t i = 0; i < actual.size(); ++i)
      if (!reference[i].empty())
        REVGAN_REQUIRE_CLOSE(test::compare(actual[i], reference[i], test::tolerance::cpu_conv_backends_float32));
  }
  omp_set_num_threads(saved_threads);
  CHECK(built[0] > 0);
  CHECK(built[1] > built[0]);   // new plans for one thread
  CHECK(built[2] == built[1]);  // the 2-thread plans are still cached
  CHECK(built[3] == built[2]);
}

TEST_CASE("oneDNN takes the float32 passes with at least 8 channels, float64 stays on im2col", "[op]") {
  using kernels::cpu::onednn::ConvPass;
  ops::CpuConvBackendScope scope(ops::CpuConvBackend::onednn);
  const auto core = geometry(64, 64, 3), first = geometry(3, 32, 7), last = geometry(32, 3, 7);
  for (ConvPass pass : {ConvPass::forward, ConvPass::backward_input, ConvPass::backward_weight}) {
    CHECK(ops::cpu_conv_uses_onednn(core, DType::float32, pass));
    CHECK_FALSE(ops::cpu_conv_uses_onednn(core, DType::float64, pass));
    CHECK_FALSE(ops::cpu_conv_uses_onednn(last, DType::float64, pass));
  }
  // To 3 channels: the forward is the narrow kernel's or im2col's, the weight gradient im2col's,
  // the input gradient oneDNN's forward of dy with flipped weights (stride 1 only), whose
  // workspace starts with those weights.
  CHECK_FALSE(ops::cpu_conv_uses_onednn(last, DType::float32, ConvPass::forward));
  CHECK_FALSE(ops::cpu_conv_uses_onednn(last, DType::float32, ConvPass::backward_weight));
  CHECK(ops::cpu_conv_uses_onednn(last, DType::float32, ConvPass::backward_input));
  CHECK(ops::cpu_conv_workspace_elements(last, DType::float32, ops::ConvPasses::backward_input, false) >=
        3 * 32 * 7 * 7 + 32 * 16 * 16);
  kernels::ConvGeometry strided_last = last;
  strided_last.stride = {1, 2, 2};
  strided_last.output = {1, 5, 5};
  CHECK_FALSE(ops::cpu_conv_uses_onednn(strided_last, DType::float32, ConvPass::backward_input));
  CHECK(ops::cpu_conv_uses_onednn(first, DType::float32, ConvPass::forward));
  CHECK(ops::cpu_conv_uses_onednn(first, DType::float32, ConvPass::backward_weight));
  CHECK_FALSE(ops::cpu_conv_uses_onednn(first, DType::float32, ConvPass::backward_input));
  ops::set_cpu_conv_backend(ops::CpuConvBackend::im2col);
  CHECK_FALSE(ops::cpu_conv_uses_onednn(core, DType::float32, ConvPass::forward));
  // oneDNN's workspace holds its reordered operands: at least x and y in blocked layouts.
  ops::set_cpu_conv_backend(ops::CpuConvBackend::onednn);
  const int64_t x_and_y = 64 * 16 * 16 + 64 * 14 * 14;
  CHECK(ops::cpu_conv_workspace_elements(core, DType::float32, ops::ConvPasses::forward, true) >= x_and_y);
}

TEST_CASE("oneDNN takes a transposed conv's passes where it takes its adjoint conv's", "[op]") {
  using kernels::cpu::onednn::ConvPass;
  ops::CpuConvBackendScope scope(ops::CpuConvBackend::onednn);
  // The decoder's 128 -> 64 upsampling at 32x32 -> 64x64.
  kernels::ConvGeometry t;
  t.in_channels = 128;
  t.out_channels = 64;
  t.input = {1, 32, 32};
  t.output = {1, 64, 64};
  t.kernel = {1, 3, 3};
  t.stride = {1, 2, 2};
  t.padding = {0, 1, 1};
  t.output_padding = {0, 1, 1};
  const kernels::ConvGeometry g = kernels::cpu::onednn::adjoint_conv(t);
  CHECK(g.in_channels == 64);
  CHECK(g.out_channels == 128);
  CHECK(g.input == kernels::Extent3{1, 64, 64});
  CHECK(g.output == kernels::Extent3{1, 32, 32});
  CHECK(kernels::cpu::onednn::adjoint_pass(ConvPass::forward) == ConvPass::backward_input);
  CHECK(kernels::cpu::onednn::adjoint_pass(ConvPass::backward_input) == ConvPass::forward);
  for (ConvPass pass : {ConvPass::backward_input, ConvPass::backward_weight}) {
    CHECK(ops::cpu_conv_transpose_uses_onednn(t, DType::float32, pass));
    CHECK_FALSE(ops::cpu_conv_transpose_uses_onednn(t, DType::float64, pass));
  }
  // The forward stays on im2col (cpu_conv_backend.hpp says why).
  CHECK_FALSE(ops::cpu_conv_transpose_uses_onednn(t, DType::float32, ConvPass::forward));
  // From 3 channels the adjoint conv has 3 output channels: both gradients on im2col. To 3
  // channels it has 3 input channels, which its forward and weight gradient do not mind.
  t.in_channels = 3;
  CHECK_FALSE(ops::cpu_conv_transpose_uses_onednn(t, DType::float32, ConvPass::backward_input));
  CHECK_FALSE(ops::cpu_conv_transpose_uses_onednn(t, DType::float32, ConvPass::backward_weight));
  t.in_channels = 128;
  t.out_channels = 3;
  CHECK(ops::cpu_conv_transpose_uses_onednn(t, DType::float32, ConvPass::backward_input));
  CHECK(ops::cpu_conv_transpose_uses_onednn(t, DType::float32, ConvPass::backward_weight));
  ops::set_cpu_conv_backend(ops::CpuConvBackend::im2col);
  CHECK_FALSE(ops::cpu_conv_transpose_uses_onednn(t, DType::float32, ConvPass::backward_weight));
}

TEST_CASE("Im2colForwardScope keeps conv forwards on im2col, their backward stays on oneDNN", "[op]") {
  using kernels::cpu::onednn::ConvPass;
  ops::CpuConvBackendScope onednn(ops::CpuConvBackend::onednn);
  const OnednnCase& c = onednn_cases()[0];
  const auto in = inputs_of(c, 7900);
  const Tensor g = upstream_gradient(c, in, 7905);
  const auto on_im2col = run_with(ops::CpuConvBackend::im2col, c, in, g, {true, true, true});
  const auto on_onednn = run_with(ops::CpuConvBackend::onednn, c, in, g, {true, true, true});
  REQUIRE(on_onednn[0] != on_im2col[0]);  // the two backends' bits differ, so the checks below can tell
  REQUIRE(on_onednn[1] != on_im2col[1]);  // dx; the weight gradients of this case can agree bit for bit
  std::vector<Tensor> leaves;
  for (const Tensor& t : in) leaves.push_back(t.clone().set_requires_grad(true));
  Tensor y;
  {
    const ops::Im2colForwardScope outer;
    {
      const ops::Im2colForwardScope nested;
      CHECK(ops::im2col_forward_forced());
    }
    CHECK(ops::im2col_forward_forced());  // nesting restores, not clears
    const kernels::ConvGeometry core = geometry(64, 64, 3);
    CHECK_FALSE(ops::cpu_conv_uses_onednn(core, DType::float32, ConvPass::forward));
    CHECK(ops::cpu_conv_uses_onednn(core, DType::float32, ConvPass::backward_input));
    CHECK(ops::cpu_conv_uses_onednn(core, DType::float32, ConvPass::backward_weight));
    y = ops::conv(leaves[0], leaves[1], leaves[2], c.options);
    run_backward({y}, {g}, false);
  }
  CHECK_FALSE(ops::im2col_forward_forced());
  CHECK(y.to_vector() == on_im2col[0]);
  // x, w and dy are the same as in the oneDNN run, so oneDNN's gradients come out bit for bit.
  for (std::size_t i = 0; i < leaves.size(); ++i) CHECK(leaves[i].grad().to_vector() == on_onednn[i + 1]);
}

#endif  // REVGAN_WITH_ONEDNN

TEST_CASE("CPU conv backend names: im2col, onednn, anything else refused naming REVGAN_CPU_CONV", "[op]") {
  CHECK(ops::parse_cpu_conv_backend("im2col") == ops::CpuConvBackend::im2col);
  CHECK(ops::parse_cpu_conv_backend("onednn") == ops::CpuConvBackend::onednn);
  CHECK_THROWS_WITH(ops::parse_cpu_conv_backend("mkldnn"), Catch::Contains("REVGAN_CPU_CONV") &&
                                                               Catch::Contains("'mkldnn'"));
  if (!ops::onednn_built()) {
    CHECK_THROWS_WITH(ops::set_cpu_conv_backend(ops::CpuConvBackend::onednn), Catch::Contains("no oneDNN"));
    CHECK(ops::cpu_conv_backend() == ops::CpuConvBackend::im2col);
  } else if (std::getenv("REVGAN_CPU_CONV") == nullptr) {
    CHECK(ops::cpu_conv_backend() == ops::CpuConvBackend::onednn);  // the default where built
  }
}
