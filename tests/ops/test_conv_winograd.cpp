// oneDNN's Winograd kernels for the gradient passes of large 3x3 stride-1 convs (builds with
// oneDNN only; kernels/cpu/onednn_conv.hpp): which passes ask for them, that CPUs with AVX-512
// get them, that their gradients equal im2col's within Winograd's rounding and the direct
// kernels' within theirs, that they are reproducible, that a parameter's cached copy in their
// layout gives the uncached bits, and that the switch turns them off.
#include <omp.h>

#include <catch2/catch.hpp>
#include <string>

#include "engine/autograd/backward.hpp"
#include "engine/nn/module.hpp"
#include "engine/ops/conv.hpp"
#include "engine/ops/cpu_conv_backend.hpp"
#include "engine/ops/onednn_weight_cache.hpp"
#include "kernels/cpu/onednn_conv.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;

#ifdef REVGAN_WITH_ONEDNN

namespace {

namespace onednn = kernels::cpu::onednn;
using onednn::ConvPass;

// The reversible core's conv of unpaired RevGAN K=32 (64 -> 64 on a reflection-padded 32x32):
// 37.7 M multiply-adds, over k_winograd_min_work_per_thread on one thread, under it on two.
kernels::ConvGeometry core(int64_t channels = 64, int64_t side = 32) {
  kernels::ConvGeometry g;
  g.in_channels = g.out_channels = channels;
  g.input = {1, side + 2, side + 2};
  g.output = {1, side, side};
  g.kernel = {1, 3, 3};
  return g;
}

// Restores the team size and the Winograd switch a test changes.
struct Restore {
  int threads = omp_get_max_threads();
  onednn::WinogradUse winograd = onednn::winograd_use();
  ~Restore() {
    omp_set_num_threads(threads);
    onednn::set_winograd_use(winograd);
  }
};

bool is_winograd(const std::string& implementation) { return implementation.find("wino") != std::string::npos; }

// oneDNN's avx512_core level, which its Winograd kernels need.
bool avx512_core() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}

// dx, dw and db of the core conv (with bias) for fixed random x, w, b and upstream gradient.
std::vector<std::vector<double>> core_gradients(ops::CpuConvBackend backend) {
  const ops::CpuConvBackendScope scope(backend);
  const kernels::ConvGeometry g = core();
  Tensor x = test::random_normal({1, 64, 34, 34}, 8100, DType::float32).set_requires_grad(true);
  Tensor w = test::random_normal({64, 64, 3, 3}, 8101, DType::float32).set_requires_grad(true);
  Tensor b = test::random_normal({64}, 8102, DType::float32).set_requires_grad(true);
  const Tensor dy = test::random_normal({1, 64, g.output[1], g.output[2]}, 8103, DType::float32);
  const Tensor y = ops::conv(x, w, b, {{1}, {0}});
  run_backward({y}, {dy}, false);
  return {x.grad().to_vector(), w.grad().to_vector(), b.grad().to_vector()};
}

// The core conv as a module, so that its weight is a parameter (oneDNN's weight cache keeps
// parameters' copies in the input-gradient pass's layout, Winograd's plan included).
class CoreConv : public nn::Module {
 public:
  CoreConv() { w = register_parameter("w", test::random_normal({64, 64, 3, 3}, 8201, DType::float32, 0.1)); }
  Tensor forward(const Tensor& x) override { return ops::conv(x, w, Tensor(), {{1}, {0}}); }
  Tensor w;
};

// dx and dw of the module for a fixed x and upstream gradient, with the weight cache on or off.
std::vector<std::vector<double>> module_gradients(CoreConv& m, bool cache) {
  const bool saved = ops::onednn_weight_cache_enabled();
  ops::set_onednn_weight_cache(cache);
  m.w.zero_grad();
  Tensor x = test::random_normal({1, 64, 34, 34}, 8202, DType::float32).set_requires_grad(true);
  const Tensor dy = test::random_normal({1, 64, 32, 32}, 8203, DType::float32);
  run_backward({m(x)}, {dy}, false);
  ops::set_onednn_weight_cache(saved);
  return {x.grad().to_vector(), m.w.grad().to_vector()};
}

}  // namespace

TEST_CASE("oneDNN asks for Winograd for the gradients of 3x3 stride-1 2D convs with enough work per thread",
          "[op]") {
  const Restore restore;
  onednn::set_winograd_use(onednn::WinogradUse::by_work);
  omp_set_num_threads(1);
  CHECK(onednn::winograd_suits(core(), ConvPass::backward_input));
  CHECK(onednn::winograd_suits(core(), ConvPass::backward_weight));
  CHECK_FALSE(onednn::winograd_suits(core(), ConvPass::forward));  // forwards stay direct
  // Two threads halve the work per thread of the K=32 core conv below the threshold; the K=58
  // core (116 channels) stays over it.
  omp_set_num_threads(2);
  CHECK_FALSE(onednn::winograd_suits(core(), ConvPass::backward_input));
  CHECK(onednn::winograd_suits(core(116), ConvPass::backward_weight));
  omp_set_num_threads(1);
  kernels::ConvGeometry strided = core();
  strided.stride = {1, 2, 2};
  strided.output = {1, 16, 16};
  CHECK_FALSE(onednn::winograd_suits(strided, ConvPass::backward_input));
  kernels::ConvGeometry four = core();
  four.kernel = {1, 4, 4};
  four.output = {1, 31, 31};
  CHECK_FALSE(onednn::winograd_suits(four, ConvPass::backward_weight));
  kernels::ConvGeometry volume = core(32, 16);
  volume.input = {18, 18, 18};
  volume.output = {16, 16, 16};
  volume.kernel = {3, 3, 3};
  CHECK_FALSE(onednn::winograd_suits(volume, ConvPass::backward_weight));  // 2D only
  CHECK_FALSE(onednn::winograd_suits(core(32, 16), ConvPass::backward_weight));  // too little work
  onednn::set_winograd_use(onednn::WinogradUse::off);
  CHECK_FALSE(onednn::winograd_suits(core(), ConvPass::backward_input));
  // `always` drops the work line (to measure it), not the shape rules.
  onednn::set_winograd_use(onednn::WinogradUse::always);
  CHECK(onednn::winograd_suits(core(32, 16), ConvPass::backward_weight));
  CHECK_FALSE(onednn::winograd_suits(strided, ConvPass::backward_input));
  CHECK_FALSE(onednn::winograd_suits(core(32, 16), ConvPass::forward));
  CHECK(onednn::parse_winograd_use("0") == onednn::WinogradUse::off);
  CHECK(onednn::parse_winograd_use("1") == onednn::WinogradUse::by_work);
  CHECK(onednn::parse_winograd_use("always") == onednn::WinogradUse::always);
  CHECK_FALSE(onednn::parse_winograd_use("yes").has_value());
}

TEST_CASE("Winograd gradients equal im2col's within Winograd's rounding, the direct ones within theirs",
          "[op]") {
  const Restore restore;
  omp_set_num_threads(1);
  const auto reference = core_gradients(ops::CpuConvBackend::im2col);
  onednn::set_winograd_use(onednn::WinogradUse::off);
  const auto direct = core_gradients(ops::CpuConvBackend::onednn);
  CHECK_FALSE(is_winograd(onednn::implementation(core(), ConvPass::backward_input, false)));
  onednn::set_winograd_use(onednn::WinogradUse::by_work);
  const auto winograd = core_gradients(ops::CpuConvBackend::onednn);
  const auto again = core_gradients(ops::CpuConvBackend::onednn);
  const bool avx512 = avx512_core();
  // oneDNN has Winograd kernels for AVX-512 only; elsewhere the plan falls back to direct.
  for (ConvPass pass : {ConvPass::backward_input, ConvPass::backward_weight}) {
    INFO("pass " << static_cast<int>(pass) << ": " << onednn::implementation(core(), pass, false));
    CHECK(is_winograd(onednn::implementation(core(), pass, false)) == avx512);
  }
  CHECK_FALSE(is_winograd(onednn::implementation(core(), ConvPass::forward, true)));
  const char* names[] = {"dx", "dw", "db"};
  for (std::size_t i = 0; i < reference.size(); ++i) {
    INFO(names[i]);
    REVGAN_REQUIRE_CLOSE(test::compare(direct[i], reference[i], test::tolerance::cpu_conv_backends_float32));
    REVGAN_REQUIRE_CLOSE(test::compare(winograd[i], reference[i], test::tolerance::cpu_conv_winograd_float32));
    CHECK(winograd[i] == again[i]);  // reproducible with the same team
  }
  if (avx512) {
    // The two algorithms really differ (else the checks above could not tell them apart): the
    // input gradient's bits change. The bias gradient is the engine's own sum either way.
    CHECK(winograd[0] != direct[0]);
    CHECK(winograd[2] == direct[2]);
  }
}

TEST_CASE("A parameter's copy laid out for Winograd's input gradient gives the uncached bits", "[op]") {
  const Restore restore;
  const ops::CpuConvBackendScope scope(ops::CpuConvBackend::onednn);
  omp_set_num_threads(1);
  onednn::set_winograd_use(onednn::WinogradUse::by_work);
  CoreConv m;
  const auto uncached = module_gradients(m, false);
  const int64_t reorders = ops::onednn_weight_cache_stats().reorders;
  const auto cached = module_gradients(m, true);
  CHECK(ops::onednn_weight_cache_stats().reorders > reorders);  // the copy was made
  const int64_t hits = ops::onednn_weight_cache_stats().hits;
  const auto again = module_gradients(m, true);
  CHECK(ops::onednn_weight_cache_stats().hits > hits);  // and served from the cache
  CHECK(is_winograd(onednn::implementation(core(), ConvPass::backward_input, false)) ==
        avx512_core());
  for (std::size_t i = 0; i < uncached.size(); ++i) {
    CHECK(cached[i] == uncached[i]);
    CHECK(again[i] == uncached[i]);
  }
}

#endif  // REVGAN_WITH_ONEDNN
