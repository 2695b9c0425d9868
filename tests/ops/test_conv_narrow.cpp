// The narrow direct conv (kernels/cpu/conv_narrow.hpp, 1-4 output channels): each instruction
// set's row kernel and weight-gradient kernel equal the im2col reference within float32 rounding
// over kernel sizes, channel counts, batch and row widths that exercise full tiles, single
// vectors and the scalar tails; the AVX-512 and AVX2 kernels and any thread count give the same
// bits; which convs it takes; and the conv op's dispatch and workspace.
#include <omp.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "engine/autograd/backward.hpp"
#include "engine/ops/conv.hpp"
#include "engine/ops/cpu_conv_backend.hpp"
#include "kernels/cpu/conv.hpp"
#include "kernels/cpu/conv_narrow.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;
namespace kc = kernels::cpu;
using Pass = kernels::cpu::onednn::ConvPass;

namespace {

kernels::ConvGeometry narrow_geometry(int64_t batch, int64_t cin, int64_t cout, int64_t h, int64_t w, int64_t kh,
                                      int64_t kw) {
  kernels::ConvGeometry g;
  g.batch = batch;
  g.in_channels = cin;
  g.out_channels = cout;
  g.input = {1, h, w};
  g.kernel = {1, kh, kw};
  g.output = {1, h - kh + 1, w - kw + 1};
  return g;
}

struct Operands {
  Tensor x, w, b;
  Operands(const kernels::ConvGeometry& g, uint64_t seed)
      : x(test::random_normal({g.batch, g.in_channels, g.input[1], g.input[2]}, seed, DType::float32)),
        w(test::random_normal({g.out_channels, g.in_channels, g.kernel[1], g.kernel[2]}, seed + 1, DType::float32)),
        b(test::random_normal({g.out_channels}, seed + 2, DType::float32)) {}
};

Tensor output_of(const kernels::ConvGeometry& g) {
  return Tensor::empty({g.batch, g.out_channels, g.output[1], g.output[2]}, DType::float32);
}

Tensor im2col_reference(const kernels::ConvGeometry& g, const Operands& o, bool bias) {
  Tensor y = output_of(g);
  Tensor ws = Tensor::empty({kc::conv_workspace_elements(g)}, DType::float32);
  kc::conv_forward<float>(g, o.x.data<float>(), o.w.data<float>(), bias ? o.b.data<float>() : nullptr,
                          y.data<float>(), ws.data<float>());
  return y;
}

// The im2col weight gradient of conv(x, .) for dy (no bias gradient).
Tensor im2col_weight_grad(const kernels::ConvGeometry& g, const Tensor& x, const Tensor& dy) {
  Tensor dw = Tensor::empty({g.out_channels, g.in_channels, g.kernel[1], g.kernel[2]}, DType::float32);
  Tensor ws = Tensor::empty({kc::conv_workspace_elements(g)}, DType::float32);
  kc::conv_backward_weight<float>(g, x.data<float>(), dy.data<float>(), dw.data<float>(), nullptr, ws.data<float>(),
                                  false);
  return dw;
}

// run() at each thread count, its results in order; OpenMP's count is put back after.
std::vector<std::vector<double>> at_thread_counts(std::initializer_list<int> counts,
                                                  const std::function<Tensor()>& run) {
  const int saved = omp_get_max_threads();
  std::vector<std::vector<double>> results;
  for (int threads : counts) {
    omp_set_num_threads(threads);
    results.push_back(run().to_vector());
  }
  omp_set_num_threads(saved);
  return results;
}

// Exits with ctest's skip code (77): reported as skipped, never as passed.
void skip(const char* why) {
  std::fprintf(stderr, "SKIPPED: %s\n", why);
  std::fflush(stderr);
  std::_Exit(77);
}

void skip_without_narrow_isa() {
  if (std::string(kc::narrow_conv_isa()) == "none") skip("this CPU has neither AVX2 nor AVX-512 with FMA");
}

}  // namespace

TEST_CASE("narrow conv: each row kernel equals the im2col conv, and AVX-512 and AVX2 agree bitwise", "[op]") {
  skip_without_narrow_isa();
  const auto kernels = kc::narrow_conv_kernels_available();
  struct Shape2 {
    int64_t batch, cin, cout, h, w, kh, kw;
    bool bias;
  };
  // Output widths 128, 7, 8, 15, 17, 64, 65, 63, 122, 9, 1 and 16: AVX-512 tiles of 64 and
  // vectors of 16, AVX2 tiles of 16 and vectors of 8, and the scalar tails of each.
  const std::vector<Shape2> shapes{
      {1, 32, 3, 20, 134, 7, 7, true},  // the generator's last conv, a few rows
      {2, 5, 1, 9, 7, 7, 1, false},     {1, 3, 2, 11, 14, 7, 7, true}, {1, 17, 4, 6, 17, 3, 3, true},
      {2, 1, 3, 5, 17, 1, 1, false},    {1, 4, 4, 8, 66, 3, 3, true},  {1, 2, 3, 6, 67, 5, 3, true},
      {1, 6, 1, 3, 66, 2, 4, false},    {1, 3, 2, 5, 125, 4, 4, true}, {1, 8, 3, 2, 10, 2, 2, true},
      {1, 3, 1, 4, 7, 2, 7, true},      {1, 2, 2, 3, 18, 1, 3, false},
  };
  for (const Shape2& s : shapes) {
    const kernels::ConvGeometry g = narrow_geometry(s.batch, s.cin, s.cout, s.h, s.w, s.kh, s.kw);
    const Operands o(g, 100 + static_cast<uint64_t>(s.w));
    const Tensor reference = im2col_reference(g, o, s.bias);
    std::vector<Tensor> results;
    for (const kc::NarrowConvKernels& k : kernels) {
      INFO(k.isa << ": batch " << s.batch << ", " << s.cin << " -> " << s.cout << " channels, " << s.h << "x" << s.w
                << ", kernel " << s.kh << "x" << s.kw << (s.bias ? ", bias" : ""));
      Tensor y = output_of(g);
      const kc::narrow::NarrowConvRows r = kc::narrow_conv_rows(g, o.x.data<float>(), o.w.data<float>(),
                                                                s.bias ? o.b.data<float>() : nullptr, y.data<float>());
      k.rows(r, 0, g.batch * g.output[1]);
      REVGAN_REQUIRE_CLOSE(test::compare(y, reference, test::tolerance::cpu_conv_backends_float32));
      results.push_back(y);
    }
    for (std::size_t i = 1; i < results.size(); ++i) CHECK(results[i].to_vector() == results[0].to_vector());
  }
}

TEST_CASE("narrow conv: the same bits at one and two threads", "[op]") {
  skip_without_narrow_isa();
  const kernels::ConvGeometry g = narrow_geometry(2, 32, 3, 30, 70, 7, 7);
  const Operands o(g, 7);
  const auto runs = at_thread_counts({1, 2}, [&] {
    Tensor y = output_of(g);
    kc::narrow_conv_forward(g, o.x.data<float>(), o.w.data<float>(), o.b.data<float>(), y.data<float>());
    return y;
  });
  CHECK(runs[0] == runs[1]);
}

TEST_CASE("narrow conv weight gradient: each kernel equals im2col's, AVX-512 and AVX2 agree bitwise, accumulate adds",
          "[op]") {
  skip_without_narrow_isa();
  const auto kernels = kc::narrow_conv_kernels_available();
  struct Shape2 {
    int64_t batch, cin, cout, h, w, kh, kw;
  };
  // Output widths 128, 7, 16, 17, 15, 33, 64, 122, 1 and 40: whole groups of 16 lanes only,
  // the scalar tail only, and both; kernel widths that take one pass (7 columns at 3 channels
  // with AVX-512) or several (4 channels, AVX2).
  const std::vector<Shape2> shapes{
      {1, 32, 3, 12, 134, 7, 7}, {2, 5, 1, 9, 7, 7, 1},   {1, 3, 2, 11, 22, 7, 7}, {1, 17, 4, 6, 19, 3, 3},
      {2, 1, 3, 5, 15, 1, 1},    {1, 4, 4, 8, 35, 3, 3},  {1, 2, 3, 6, 68, 5, 5},  {1, 6, 1, 3, 125, 2, 4},
      {1, 3, 2, 5, 7, 4, 7},     {2, 2, 4, 3, 42, 1, 3},
  };
  for (const Shape2& s : shapes) {
    const kernels::ConvGeometry g = narrow_geometry(s.batch, s.cin, s.cout, s.h, s.w, s.kh, s.kw);
    const Operands o(g, 300 + static_cast<uint64_t>(s.w));
    const Tensor dy = test::random_normal({g.batch, g.out_channels, g.output[1], g.output[2]}, 400 + s.w, DType::float32);
    const Tensor reference = im2col_weight_grad(g, o.x, dy);
    const int64_t tasks = g.in_channels * g.kernel[1];
    std::vector<Tensor> results;
    for (const kc::NarrowConvKernels& k : kernels) {
      INFO(k.isa << ": batch " << s.batch << ", " << s.cin << " -> " << s.cout << " channels, " << s.h << "x" << s.w
                  << ", kernel " << s.kh << "x" << s.kw);
      Tensor dw = Tensor::empty(o.w.shape(), DType::float32);
      k.weight_grad(kc::narrow_weight_grad(g, o.x.data<float>(), dy.data<float>(), dw.data<float>(), false), 0, tasks);
      REVGAN_REQUIRE_CLOSE(test::compare(dw, reference, test::tolerance::cpu_conv_backends_float32));
      results.push_back(dw);
      // accumulate: dw = w + gradient (w stands in for an earlier gradient).
      Tensor sum = o.w.clone();
      k.weight_grad(kc::narrow_weight_grad(g, o.x.data<float>(), dy.data<float>(), sum.data<float>(), true), 0, tasks);
      const std::vector<double> before = o.w.to_vector(), grad = dw.to_vector(), after = sum.to_vector();
      std::vector<double> expected(before.size());
      for (std::size_t i = 0; i < before.size(); ++i)
        expected[i] = static_cast<double>(static_cast<float>(before[i]) + static_cast<float>(grad[i]));
      CHECK(after == expected);
    }
    for (std::size_t i = 1; i < results.size(); ++i) CHECK(results[i].to_vector() == results[0].to_vector());
  }
}

TEST_CASE("narrow conv weight gradient: the same bits at one and two threads", "[op]") {
  skip_without_narrow_isa();
  const kernels::ConvGeometry g = narrow_geometry(2, 32, 3, 30, 70, 7, 7);
  const Operands o(g, 9);
  const Tensor dy = test::random_normal({g.batch, g.out_channels, g.output[1], g.output[2]}, 10, DType::float32);
  const auto runs = at_thread_counts({1, 2, 3}, [&] {
    Tensor dw = Tensor::empty(o.w.shape(), DType::float32);
    kc::narrow_conv_backward_weight(g, o.x.data<float>(), dy.data<float>(), dw.data<float>(), false);
    return dw;
  });
  CHECK(runs[0] == runs[1]);
  CHECK(runs[0] == runs[2]);
}

TEST_CASE("narrow conv: it takes 1-4 output channels, stride 1, no padding, 2D only", "[op]") {
  skip_without_narrow_isa();
  kernels::ConvGeometry g = narrow_geometry(1, 32, 3, 20, 20, 7, 7);
  CHECK(kc::narrow_conv_suits(g));
  g.out_channels = 4;
  CHECK(kc::narrow_conv_suits(g));
  g.out_channels = 5;
  CHECK_FALSE(kc::narrow_conv_suits(g));
  g.out_channels = 3;
  g.stride = {1, 2, 2};
  CHECK_FALSE(kc::narrow_conv_suits(g));
  g.stride = {1, 1, 1};
  g.padding = {0, 1, 1};
  CHECK_FALSE(kc::narrow_conv_suits(g));
  g.padding = {0, 0, 0};
  g.input = {5, 20, 20};
  g.kernel = {3, 7, 7};
  g.output = {3, 14, 14};
  CHECK_FALSE(kc::narrow_conv_suits(g));
}

TEST_CASE("narrow conv: the conv op uses it for float32 forwards and weight gradients under the oneDNN backend, with no workspace", "[op]") {
  skip_without_narrow_isa();
  if (!ops::onednn_built()) skip("the narrow kernel stands in for oneDNN, which this build lacks");
  const kernels::ConvGeometry g = narrow_geometry(1, 16, 3, 22, 22, 7, 7);
  const ops::CpuConvBackendScope onednn(ops::CpuConvBackend::onednn);
  CHECK(ops::cpu_conv_uses_narrow(g, DType::float32, Pass::forward));
  CHECK_FALSE(ops::cpu_conv_uses_narrow(g, DType::float64, Pass::forward));
  CHECK(ops::cpu_conv_workspace_elements(g, DType::float32, ops::ConvPasses::forward, true) == 0);
  {
    const ops::Im2colForwardScope reference;  // the reversible couplings' rule
    CHECK_FALSE(ops::cpu_conv_uses_narrow(g, DType::float32, Pass::forward));
  }
  {
    const ops::CpuConvBackendScope im2col(ops::CpuConvBackend::im2col);
    CHECK_FALSE(ops::cpu_conv_uses_narrow(g, DType::float32, Pass::forward));
    CHECK(ops::cpu_conv_workspace_elements(g, DType::float32, ops::ConvPasses::forward, true) > 0);
  }
  // The weight gradient too, also where the couplings' rule holds (it binds forwards only);
  // never the input gradient.
  CHECK(ops::cpu_conv_uses_narrow(g, DType::float32, Pass::backward_weight));
  CHECK_FALSE(ops::cpu_conv_uses_narrow(g, DType::float32, Pass::backward_input));
  CHECK_FALSE(ops::cpu_conv_uses_narrow(g, DType::float64, Pass::backward_weight));
  CHECK(ops::cpu_conv_workspace_elements(g, DType::float32, ops::ConvPasses::backward_weight, true) == 0);
  {
    const ops::Im2colForwardScope reference;
    CHECK(ops::cpu_conv_uses_narrow(g, DType::float32, Pass::backward_weight));
  }
  {
    const ops::CpuConvBackendScope im2col(ops::CpuConvBackend::im2col);
    CHECK_FALSE(ops::cpu_conv_uses_narrow(g, DType::float32, Pass::backward_weight));
    CHECK(ops::cpu_conv_workspace_elements(g, DType::float32, ops::ConvPasses::backward_weight, true) > 0);
  }
  // The op's results are the narrow kernels' (and the bias gradient the engine's sum), bit for bit.
  const Operands o(g, 3);
  Tensor w = o.w.clone().set_requires_grad(true), b = o.b.clone().set_requires_grad(true);
  const Tensor y = ops::conv(o.x, w, b, {{1}, {0}});
  Tensor direct = output_of(g);
  kc::narrow_conv_forward(g, o.x.data<float>(), o.w.data<float>(), o.b.data<float>(), direct.data<float>());
  CHECK(y.to_vector() == direct.to_vector());
  const Tensor dy = test::random_normal(y.shape(), 4, DType::float32);
  run_backward({y}, {dy}, false);
  Tensor dw = Tensor::empty(o.w.shape(), DType::float32), db = Tensor::empty(o.b.shape(), DType::float32);
  kc::narrow_conv_backward_weight(g, o.x.data<float>(), dy.data<float>(), dw.data<float>(), false);
  kc::conv_bias_backward<float>(g, dy.data<float>(), db.data<float>());
  CHECK(w.grad().to_vector() == dw.to_vector());
  CHECK(b.grad().to_vector() == db.to_vector());
}
