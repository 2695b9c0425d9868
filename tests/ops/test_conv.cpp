// conv and conv_transpose: float64 finite-difference checks over the geometries the models use,
// forward values against direct summation, float32/float64 agreement, and argument errors.
#include <omp.h>

#include <catch2/catch.hpp>

#include "engine/autograd/backward.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "engine/autograd/node.hpp"
#include "engine/memory/allocator.hpp"
#include "engine/ops/conv.hpp"
#include "engine/ops/cpu_conv_backend.hpp"
#include "tests/support/coverage.hpp"
#include "tests/support/gradcheck.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using test::gradcheck;
using test::random_normal;

REVGAN_GRADCHECK_COVERS(ops::OpKind::conv, ops::OpKind::conv_transpose);

namespace {

struct ConvCase {
  const char* name;
  Shape x, w;
  bool bias;
  ops::ConvOptions options;
};

struct ConvTransposeCase {
  const char* name;
  Shape x, w;
  bool bias;
  ops::ConvTransposeOptions options;
};

// Inputs for a case: x, weight and (when used) bias [Cout], each from its own seed.
std::vector<Tensor> case_inputs(const Shape& x, const Shape& w, bool bias, int64_t out_channels, uint64_t seed) {
  std::vector<Tensor> in{random_normal(x, seed), random_normal(w, seed + 1)};
  if (bias) in.push_back(random_normal({out_channels}, seed + 2));
  return in;
}

Tensor optional_bias(const std::vector<Tensor>& in) { return in.size() > 2 ? in[2] : Tensor(); }

const std::vector<ConvCase>& conv_cases() {
  static const std::vector<ConvCase> cases{
      {"3x3 pad 1 batch 2", {2, 2, 5, 5}, {3, 2, 3, 3}, true, {{1}, {1}}},
      {"3x3 stride 2 pad 1 odd sizes", {1, 3, 9, 7}, {2, 3, 3, 3}, true, {{2}, {1}}},
      {"3x3 stride 2 drops the last row and column", {1, 2, 8, 6}, {2, 2, 3, 3}, true, {{2}, {0}}},
      {"padding = kernel - 1", {1, 2, 4, 5}, {2, 2, 3, 3}, true, {{1}, {2}}},
      {"7x7 pad 0", {1, 2, 9, 8}, {2, 2, 7, 7}, true, {{1}, {0}}},
      {"1x1", {2, 3, 4, 4}, {4, 3, 1, 1}, true, {{1}, {0}}},
      {"1x1 stride 2", {1, 3, 5, 5}, {2, 3, 1, 1}, true, {{2}, {0}}},
      {"4x4 stride 2 pad 1", {1, 2, 8, 8}, {3, 2, 4, 4}, true, {{2}, {1}}},
      {"no bias", {1, 2, 5, 5}, {2, 2, 3, 3}, false, {{1}, {1}}},
      {"anisotropic kernel, stride and padding", {1, 2, 7, 6}, {2, 2, 3, 2}, true, {{2, 1}, {1, 0}}},
      {"3D k3 pad 1", {1, 2, 4, 4, 3}, {2, 2, 3, 3, 3}, true, {{1}, {1}}},
      {"3D k3 stride 2", {1, 2, 5, 5, 5}, {2, 2, 3, 3, 3}, true, {{2}, {1}}},
      {"3D anisotropic stride and padding", {1, 2, 3, 6, 5}, {2, 2, 1, 3, 3}, true, {{1, 2, 2}, {0, 1, 1}}},
      // Fewer output than input channels at stride 1: the input gradient runs as a conv of dy.
      {"narrowing 7x7 pad 3, batch 2", {2, 4, 8, 9}, {2, 4, 7, 7}, true, {{1}, {3}}},
      {"narrowing anisotropic kernel and padding", {1, 3, 6, 5}, {2, 3, 3, 2}, false, {{1}, {0, 1}}},
      {"3D narrowing k3 pad 1", {1, 3, 4, 3, 4}, {1, 3, 3, 3, 3}, true, {{1}, {1}}},
  };
  return cases;
}

const std::vector<ConvTransposeCase>& conv_transpose_cases() {
  static const std::vector<ConvTransposeCase> cases{
      {"k3 s2 p1 op1", {1, 2, 4, 4}, {2, 3, 3, 3}, true, {{2}, {1}, {1}}},
      {"3D k3 s2 p1 op1", {1, 2, 3, 3, 3}, {2, 2, 3, 3, 3}, true, {{2}, {1}, {1}}},
      {"k4 s2 p1 no bias", {1, 3, 4, 4}, {3, 2, 4, 4}, false, {{2}, {1}, {0}}},
      {"odd sizes, batch 2", {2, 2, 5, 3}, {2, 3, 3, 3}, true, {{2}, {1}, {0}}},
      {"padding = kernel - 1", {1, 2, 6, 5}, {2, 2, 3, 3}, true, {{1}, {2}, {0}}},
      {"1x1", {2, 3, 4, 4}, {3, 2, 1, 1}, true, {{1}, {0}, {0}}},
      {"anisotropic stride, padding, output_padding", {1, 2, 4, 3}, {2, 2, 3, 4}, true, {{2, 3}, {1, 0}, {1, 2}}},
  };
  return cases;
}

std::vector<bool> all_differentiable(const std::vector<Tensor>& in) { return std::vector<bool>(in.size(), true); }

// Direct summation in double over 5D views (2D tensors get D == 1); independent of im2col.
struct View5 {
  int64_t n, c, d, h, w;
  explicit View5(const Shape& s)
      : n(s[0]), c(s[1]), d(s.rank() == 5 ? s[2] : 1), h(s[s.rank() - 2]), w(s[s.rank() - 1]) {}
  int64_t at(int64_t in, int64_t ic, int64_t id, int64_t ih, int64_t iw) const {
    return (((in * c + ic) * d + id) * h + ih) * w + iw;
  }
};

using Axis3 = std::array<int64_t, 3>;

Axis3 expand(const std::vector<int64_t>& v, int spatial, int64_t depth_value) {
  Axis3 e{depth_value, depth_value, depth_value};
  for (int a = 0; a < spatial; ++a) e[3 - spatial + a] = v[v.size() == 1 ? 0 : a];
  return e;
}

bool inside(const Axis3& p, const View5& v) {
  return p[0] >= 0 && p[0] < v.d && p[1] >= 0 && p[1] < v.h && p[2] >= 0 && p[2] < v.w;
}

// y[n, o, out] = b[o] + sum x[n, c, out * s - p + k] * w[o, c, k]  (conv), or the scatter
// y[n, o, in * s - p + k] += x[n, c, in] * w[c, o, k]  (transposed; w is [Cin, Cout, k]).
std::vector<double> reference(bool transposed, const Tensor& x, const Tensor& w, const Tensor& b,
                              const Shape& y_shape, const std::vector<int64_t>& stride_v,
                              const std::vector<int64_t>& padding_v) {
  const int spatial = x.dim() - 2;
  const Axis3 s = expand(stride_v, spatial, 1), p = expand(padding_v, spatial, 0);
  const View5 xv(x.shape()), wv(w.shape()), yv(y_shape);
  const auto xs = x.to_vector(), ws = w.to_vector();
  const auto bs = b.defined() ? b.to_vector() : std::vector<double>(static_cast<std::size_t>(yv.c), 0.0);
  std::vector<double> y(static_cast<std::size_t>(y_shape.numel()), 0.0);
  for (int64_t n = 0; n < yv.n; ++n)
    for (int64_t o = 0; o < yv.c; ++o)
      for (int64_t i = 0; i < yv.d * yv.h * yv.w; ++i) y[static_cast<std::size_t>((n * yv.c + o) * yv.d * yv.h * yv.w + i)] = bs[o];
  // Loop over the small side (y for conv, x for transposed) and every tap.
  const View5& small = transposed ? xv : yv;
  const View5& large = transposed ? yv : xv;
  for (int64_t n = 0; n < xv.n; ++n)
    for (int64_t ci = 0; ci < xv.c; ++ci)
      for (int64_t co = 0; co < yv.c; ++co)
        for (int64_t sd = 0; sd < small.d; ++sd)
          for (int64_t sh = 0; sh < small.h; ++sh)
            for (int64_t sw = 0; sw < small.w; ++sw)
              for (int64_t kd = 0; kd < wv.d; ++kd)
                for (int64_t kh = 0; kh < wv.h; ++kh)
                  for (int64_t kw = 0; kw < wv.w; ++kw) {
                    const Axis3 q{sd * s[0] - p[0] + kd, sh * s[1] - p[1] + kh, sw * s[2] - p[2] + kw};
                    if (!inside(q, large)) continue;
                    const double wt = transposed ? ws[static_cast<std::size_t>(wv.at(ci, co, kd, kh, kw))]
                                                 : ws[static_cast<std::size_t>(wv.at(co, ci, kd, kh, kw))];
                    if (transposed) {
                      y[static_cast<std::size_t>(yv.at(n, co, q[0], q[1], q[2]))] +=
                          xs[static_cast<std::size_t>(xv.at(n, ci, sd, sh, sw))] * wt;
                    } else {
                      y[static_cast<std::size_t>(yv.at(n, co, sd, sh, sw))] +=
                          xs[static_cast<std::size_t>(xv.at(n, ci, q[0], q[1], q[2]))] * wt;
                    }
                  }
  return y;
}

// Gradients of <g, f(x, w, b)> for each input, in the inputs' own dtype.
std::vector<Tensor> gradients(const std::function<Tensor(const std::vector<Tensor>&)>& f, std::vector<Tensor> in,
                              const Tensor& g) {
  for (Tensor& t : in) t = t.clone().set_requires_grad(true);
  Tensor y = f(in);
  run_backward({y}, {g}, false);
  std::vector<Tensor> out;
  for (const Tensor& t : in) out.push_back(t.grad());
  return out;
}

std::vector<Tensor> to_dtype(const std::vector<Tensor>& in, DType dtype) {
  std::vector<Tensor> out;
  for (const Tensor& t : in) out.push_back(t.to(dtype));
  return out;
}

// A conv or conv_transpose with bias, run on inputs {x, w, b}.
struct LayerCase {
  const char* name;
  bool transposed;
  Shape x, w;
  std::vector<int64_t> stride, padding, output_padding;
  int64_t out_channels() const { return transposed ? w[1] : w[0]; }
  Tensor run(const std::vector<Tensor>& in) const {
    return transposed ? ops::conv_transpose(in[0], in[1], in[2], {stride, padding, output_padding})
                      : ops::conv(in[0], in[1], in[2], {stride, padding});
  }
};

}  // namespace

TEST_CASE("gradcheck conv", "[op][grad]") {
  uint64_t seed = 10;
  for (const ConvCase& c : conv_cases()) {
    INFO(c.name << ": x " << c.x.str() << ", w " << c.w.str());
    auto in = case_inputs(c.x, c.w, c.bias, c.w[0], seed += 10);
    auto f = [&c](const std::vector<Tensor>& x) { return ops::conv(x[0], x[1], optional_bias(x), c.options); };
    REVGAN_REQUIRE_GRADCHECK(gradcheck(f, in, all_differentiable(in)));
  }
}

TEST_CASE("gradcheck conv_transpose", "[op][grad]") {
  uint64_t seed = 500;
  for (const ConvTransposeCase& c : conv_transpose_cases()) {
    INFO(c.name << ": x " << c.x.str() << ", w " << c.w.str());
    auto in = case_inputs(c.x, c.w, c.bias, c.w[1], seed += 10);
    auto f = [&c](const std::vector<Tensor>& x) {
      return ops::conv_transpose(x[0], x[1], optional_bias(x), c.options);
    };
    REVGAN_REQUIRE_GRADCHECK(gradcheck(f, in, all_differentiable(in)));
  }
}

// Only some inputs differentiable: the node then saves less (x only for dw, the weight only
// for dx) and the bias gradient must come without x.
TEST_CASE("gradcheck conv and conv_transpose with some inputs frozen", "[op][grad]") {
  const std::vector<std::vector<bool>> masks{
      {true, false, false}, {false, true, false}, {false, false, true}, {true, false, true}, {false, true, true}};
  const ConvCase& c = conv_cases()[0];
  const ConvTransposeCase& t = conv_transpose_cases()[0];
  auto in_c = case_inputs(c.x, c.w, true, c.w[0], 900);
  auto in_t = case_inputs(t.x, t.w, true, t.w[1], 910);
  auto fc = [&c](const std::vector<Tensor>& x) { return ops::conv(x[0], x[1], x[2], c.options); };
  auto ft = [&t](const std::vector<Tensor>& x) { return ops::conv_transpose(x[0], x[1], x[2], t.options); };
  for (const auto& mask : masks) {
    INFO("x " << mask[0] << ", weight " << mask[1] << ", bias " << mask[2]);
    REVGAN_REQUIRE_GRADCHECK(gradcheck(fc, in_c, mask));
    REVGAN_REQUIRE_GRADCHECK(gradcheck(ft, in_t, mask));
  }
}

TEST_CASE("conv and conv_transpose output shapes follow the shape rule", "[op]") {
  auto conv_shape = [](Shape x, Shape w, ops::ConvOptions o) {
    return ops::conv(random_normal(x, 1), random_normal(w, 2), Tensor(), o).shape();
  };
  auto tconv_shape = [](Shape x, Shape w, ops::ConvTransposeOptions o) {
    return ops::conv_transpose(random_normal(x, 1), random_normal(w, 2), Tensor(), o).shape();
  };
  CHECK(conv_shape({1, 3, 9, 7}, {2, 3, 3, 3}, {{2}, {1}}) == Shape{1, 2, 5, 4});
  CHECK(conv_shape({1, 2, 8, 6}, {2, 2, 3, 3}, {{2}, {0}}) == Shape{1, 2, 3, 2});
  CHECK(conv_shape({2, 2, 7, 6}, {4, 2, 3, 2}, {{2, 1}, {1, 0}}) == Shape{2, 4, 4, 5});
  CHECK(conv_shape({1, 2, 5, 5, 5}, {3, 2, 3, 3, 3}, {{2}, {1}}) == Shape{1, 3, 3, 3, 3});
  CHECK(conv_shape({1, 2, 2, 2}, {1, 2, 3, 3}, {{1}, {1}}) == Shape{1, 1, 2, 2});
  CHECK(tconv_shape({1, 2, 4, 4}, {2, 3, 3, 3}, {{2}, {1}, {1}}) == Shape{1, 3, 8, 8});
  CHECK(tconv_shape({1, 2, 3, 3, 3}, {2, 2, 3, 3, 3}, {{2}, {1}, {1}}) == Shape{1, 2, 6, 6, 6});
  CHECK(tconv_shape({1, 2, 4, 3}, {2, 2, 3, 4}, {{2, 3}, {1, 0}, {1, 2}}) == Shape{1, 2, 8, 12});
  CHECK(tconv_shape({1, 2, 6, 5}, {2, 2, 3, 3}, {{1}, {2}, {0}}) == Shape{1, 2, 4, 3});
}

TEST_CASE("conv and conv_transpose forward match direct summation", "[op]") {
  uint64_t seed = 2000;
  for (const ConvCase& c : conv_cases()) {
    INFO("conv " << c.name);
    auto in = case_inputs(c.x, c.w, c.bias, c.w[0], seed += 10);
    Tensor y = ops::conv(in[0], in[1], optional_bias(in), c.options);
    auto ref = reference(false, in[0], in[1], optional_bias(in), y.shape(), c.options.stride, c.options.padding);
    REVGAN_REQUIRE_CLOSE(test::compare(y.to_vector(), ref, test::tolerance::golden_float64));
  }
  for (const ConvTransposeCase& c : conv_transpose_cases()) {
    INFO("conv_transpose " << c.name);
    auto in = case_inputs(c.x, c.w, c.bias, c.w[1], seed += 10);
    Tensor y = ops::conv_transpose(in[0], in[1], optional_bias(in), c.options);
    auto ref = reference(true, in[0], in[1], optional_bias(in), y.shape(), c.options.stride, c.options.padding);
    REVGAN_REQUIRE_CLOSE(test::compare(y.to_vector(), ref, test::tolerance::golden_float64));
  }
}

namespace {
double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}
}  // namespace

// Column matrices above the kernel's workspace cap (2^21 elements) are built in bands of
// output rows (slabs along D for volumes), the last one ragged. The forward must equal direct
// summation; conv being linear, the backward is checked by the adjoint identities
// <dx, u> = <g, conv(u, w)> and <dw, v> = <g, conv(x, v)> for random u, v.
TEST_CASE("conv on column matrices larger than the workspace cap, in bands", "[op]") {
  struct BandCase {
    const char* name;
    Shape x, w;
    ops::ConvOptions options;
  };
  const std::vector<BandCase> cases{
      {"7x7, 50 output rows in bands of 24", {1, 40, 50, 44}, {3, 40, 7, 7}, {{1}, {3}}},
      {"4x4 stride 2, batch 2", {2, 128, 70, 68}, {4, 128, 4, 4}, {{2}, {1}}},
      {"3x3x3 volume, bands along D", {1, 24, 22, 20, 18}, {2, 24, 3, 3, 3}, {{1}, {1}}},
  };
  uint64_t seed = 7000;
  for (const BandCase& c : cases) {
    INFO(c.name);
    const Tensor x = random_normal(c.x, seed += 10), w = random_normal(c.w, seed + 1);
    const Tensor b = random_normal({c.w[0]}, seed + 2);
    const int64_t before = cpu_allocator().stats().live_bytes;
    cpu_allocator().reset_peak();
    const Tensor y = ops::conv(x, w, b, c.options);
    const int64_t peak = cpu_allocator().stats().peak_live_bytes - before;
    int64_t full_cols = c.x[1] * c.w.numel() / (c.w[0] * c.w[1]);  // Cin * kernel volume
    full_cols *= y.numel() / (y.size(0) * y.size(1));
    CHECK(full_cols > (int64_t{1} << 21));
    // Output plus at most one band of columns, never the whole column matrix.
    CHECK(peak <= static_cast<int64_t>(y.nbytes()) + (int64_t{1} << 21) * 8);
    CHECK(peak < full_cols * 8);
    REVGAN_REQUIRE_CLOSE(test::compare(y.to_vector(), reference(false, x, w, b, y.shape(), c.options.stride,
                                                                c.options.padding),
                                       test::tolerance::golden_float64));

    const Tensor g = random_normal(y.shape(), seed + 3);
    const auto grads = gradients([&](const std::vector<Tensor>& in) { return ops::conv(in[0], in[1], in[2], c.options); },
                                 {x, w, b}, g);
    const Tensor u = random_normal(c.x, seed + 4), v = random_normal(c.w, seed + 5);
    const auto gv = g.to_vector();
    const double lhs_x = dot(grads[0].to_vector(), u.to_vector());
    const double rhs_x = dot(gv, reference(false, u, w, Tensor(), y.shape(), c.options.stride, c.options.padding));
    const double lhs_w = dot(grads[1].to_vector(), v.to_vector());
    const double rhs_w = dot(gv, reference(false, x, v, Tensor(), y.shape(), c.options.stride, c.options.padding));
    CHECK(std::abs(lhs_x - rhs_x) <= 1e-10 * std::abs(rhs_x));
    CHECK(std::abs(lhs_w - rhs_w) <= 1e-10 * std::abs(rhs_w));
  }
}

// Larger than the gradcheck cases so that GEMM blocking and multi-threading take part.
TEST_CASE("conv and conv_transpose agree between float32 and float64", "[op]") {
  const std::vector<LayerCase> cases{
      {"conv 3x3", false, {2, 8, 16, 16}, {16, 8, 3, 3}, {1}, {1}, {0}},
      {"conv 4x4 stride 2", false, {2, 8, 16, 16}, {16, 8, 4, 4}, {2}, {1}, {0}},
      {"conv 1x1", false, {2, 16, 8, 8}, {8, 16, 1, 1}, {1}, {0}, {0}},
      {"conv 3D", false, {1, 4, 6, 8, 8}, {8, 4, 3, 3, 3}, {1}, {1}, {0}},
      {"conv_transpose k3 s2 p1 op1", true, {2, 16, 8, 8}, {16, 8, 3, 3}, {2}, {1}, {1}},
      {"conv_transpose 3D k3 s2 p1 op1", true, {1, 8, 3, 4, 4}, {8, 4, 3, 3, 3}, {2}, {1}, {1}},
  };
  uint64_t seed = 3000;
  for (const LayerCase& c : cases) {
    INFO(c.name);
    auto in64 = case_inputs(c.x, c.w, true, c.out_channels(), seed += 10);
    auto f = [&c](const std::vector<Tensor>& x) { return c.run(x); };
    Tensor y64, y32;
    {
      NoGradScope no_grad;
      y64 = f(in64);
      y32 = f(to_dtype(in64, DType::float32));
    }
    REQUIRE(y32.dtype() == DType::float32);
    REVGAN_REQUIRE_CLOSE(test::compare(y32, y64, test::tolerance::golden_float32));

    // The backward kernels too: every gradient of <g, y> in float32 against float64.
    Tensor g64 = random_normal(y64.shape(), seed + 5);
    auto d64 = gradients(f, in64, g64);
    auto d32 = gradients(f, to_dtype(in64, DType::float32), g64.to(DType::float32));
    for (std::size_t i = 0; i < d64.size(); ++i) {
      INFO("gradient of input " << i);
      REVGAN_REQUIRE_CLOSE(test::compare(d32[i], d64[i], test::tolerance::golden_float32));
    }
  }
}

TEST_CASE("conv records no graph when nothing needs a gradient", "[op]") {
  Tensor x = random_normal({1, 2, 5, 5}, 1), w = random_normal({3, 2, 3, 3}, 2);
  CHECK(ops::conv(x, w, Tensor(), {}).grad_fn() == nullptr);
  w.set_requires_grad(true);
  {
    NoGradScope no_grad;
    CHECK(ops::conv(x, w, Tensor(), {}).grad_fn() == nullptr);
    CHECK(ops::conv_transpose(x, random_normal({2, 3, 3, 3}, 3).set_requires_grad(true), Tensor(), {}).grad_fn() ==
          nullptr);
  }
  Tensor y = ops::conv(x, w, Tensor(), {});
  REQUIRE(y.grad_fn() != nullptr);
  CHECK(std::string(y.grad_fn()->name()) == "ConvBackward");
}

TEST_CASE("conv rejects bad arguments naming the op and the problem", "[op]") {
  using Catch::Contains;
  Tensor x = random_normal({1, 32, 6, 6}, 1);
  Tensor w = random_normal({8, 32, 3, 3}, 2);
  REQUIRE_THROWS_WITH(ops::conv(x, random_normal({8, 64, 3, 3}, 3), Tensor(), {}),
                      Contains("conv: weight has 64 input channels but x has 32"));
  REQUIRE_THROWS_WITH(ops::conv(x, random_normal({8, 32, 3, 3, 3}, 3), Tensor(), {}),
                      Contains("conv") && Contains("weight has rank 5"));
  REQUIRE_THROWS_WITH(ops::conv(random_normal({32, 6, 6}, 4), w, Tensor(), {}),
                      Contains("conv") && Contains("x must be 4D"));
  REQUIRE_THROWS_WITH(ops::conv(x, Tensor(), Tensor(), {}), Contains("conv") && Contains("'weight' is undefined"));
  REQUIRE_THROWS_WITH(ops::conv(x, w, random_normal({5}, 5), {}),
                      Contains("conv: bias must have shape [8]") && Contains("[5]"));
  REQUIRE_THROWS_WITH(ops::conv(x, w, random_normal({8, 1}, 5), {}), Contains("conv: bias must have shape [8]"));
  REQUIRE_THROWS_WITH(ops::conv(x, w.to(DType::float32), Tensor(), {}),
                      Contains("conv") && Contains("'weight' is float32 but 'x' is float64"));
  REQUIRE_THROWS_WITH(ops::conv(x, w, random_normal({8}, 5, DType::float32), {}),
                      Contains("conv") && Contains("'bias' is float32"));
  REQUIRE_THROWS_WITH(ops::conv(x, w, Tensor(), {{0}, {1}}), Contains("conv: stride must be >= 1, got 0"));
  REQUIRE_THROWS_WITH(ops::conv(x, w, Tensor(), {{1}, {1, -1}}),
                      Contains("conv: padding must be >= 0, got -1 along W"));
  REQUIRE_THROWS_WITH(ops::conv(x, w, Tensor(), {{1, 1, 1}, {1}}),
                      Contains("conv: stride needs 1 value or 2") && Contains("got 3"));
  REQUIRE_THROWS_WITH(ops::conv(x, w, Tensor(), {{}, {1}}), Contains("conv: stride needs 1 value or 2"));
  REQUIRE_THROWS_WITH(ops::conv(random_normal({1, 32, 2, 6}, 6), random_normal({8, 32, 5, 3}, 7), Tensor(), {{1}, {1}}),
                      Contains("conv: output size along H would be non-positive"));
  REQUIRE_THROWS_WITH(ops::conv(random_normal({1, 32, 0, 6}, 6), w, Tensor(), {}),
                      Contains("conv: x has an empty dimension"));
}

TEST_CASE("conv_transpose rejects bad arguments naming the op and the problem", "[op]") {
  using Catch::Contains;
  Tensor x = random_normal({1, 4, 5, 5}, 1);
  Tensor w = random_normal({4, 2, 3, 3}, 2);
  // The PyTorch layout: x's channels are the weight's first dimension.
  REQUIRE_THROWS_WITH(ops::conv_transpose(x, random_normal({2, 4, 3, 3}, 3), Tensor(), {}),
                      Contains("conv_transpose: weight has 2 input channels but x has 4"));
  REQUIRE_THROWS_WITH(ops::conv_transpose(x, w, random_normal({4}, 4), {}),
                      Contains("conv_transpose: bias must have shape [2]"));
  REQUIRE_THROWS_WITH(ops::conv_transpose(x, w, Tensor(), {{2}, {1}, {2}}),
                      Contains("conv_transpose: output_padding 2 must be smaller than stride 2"));
  REQUIRE_THROWS_WITH(ops::conv_transpose(x, w, Tensor(), {{1}, {0}, {1}}),
                      Contains("conv_transpose: output_padding 1 must be smaller than stride 1"));
  REQUIRE_THROWS_WITH(ops::conv_transpose(x, w, Tensor(), {{2}, {1}, {-1}}),
                      Contains("conv_transpose: output_padding -1"));
  REQUIRE_THROWS_WITH(ops::conv_transpose(random_normal({1, 4, 1, 1}, 5), w, Tensor(), {{1}, {2}, {0}}),
                      Contains("conv_transpose: output size along H would be non-positive (-1)"));
  REQUIRE_THROWS_WITH(ops::conv_transpose(x, w, Tensor(), {{1}, {1}, {0, 0, 0}}),
                      Contains("conv_transpose: output_padding needs 1 value or 2"));
  REQUIRE_THROWS_WITH(ops::conv_transpose(x, w.to(DType::float32), Tensor(), {}),
                      Contains("conv_transpose") && Contains("'weight' is float32"));
  REQUIRE_THROWS_WITH(ops::conv_transpose(random_normal({1, 4, 3, 5, 5}, 6), w, Tensor(), {}),
                      Contains("conv_transpose: weight has rank 4"));
}

// The CPU kernels cut their work into chunks that depend on the problem alone, so a conv gives
// the same bits whatever the thread count. Sizes are large enough for teams and several chunks;
// the 7x7 case also runs in several column bands.
TEST_CASE("conv and conv_transpose give the same bits with 1, 2 and 3 threads", "[op]") {
  const std::vector<LayerCase> cases{
      {"core 3x3, 64 channels", false, {1, 64, 34, 34}, {64, 64, 3, 3}, {1}, {0}, {0}},
      {"7x7 to 3 channels, in bands", false, {1, 32, 76, 76}, {3, 32, 7, 7}, {1}, {0}, {0}},
      {"4x4 stride 2, batch 2", false, {2, 16, 40, 40}, {32, 16, 4, 4}, {2}, {1}, {0}},
      {"1x1", false, {1, 64, 48, 48}, {32, 64, 1, 1}, {1}, {0}, {0}},
      {"3D 3x3x3", false, {1, 16, 12, 16, 16}, {16, 16, 3, 3, 3}, {1}, {1}, {0}},
      {"conv_transpose 3x3 stride 2", true, {1, 64, 24, 24}, {64, 32, 3, 3}, {2}, {1}, {1}},
  };
  // The im2col kernels promise this by construction (chunks fixed by the problem); oneDNN's
  // results are reproducible for a fixed thread count only (test_conv_onednn.cpp).
  const ops::CpuConvBackendScope im2col(ops::CpuConvBackend::im2col);
  const int saved_threads = omp_get_max_threads();
  uint64_t seed = 9100;
  for (const LayerCase& c : cases) {
    INFO(c.name);
    const auto in = to_dtype(case_inputs(c.x, c.w, true, c.out_channels(), seed += 10), DType::float32);
    auto f = [&c](const std::vector<Tensor>& x) { return c.run(x); };
    std::vector<std::vector<std::vector<double>>> runs;  // per thread count: y, dx, dw, db
    for (int threads : {1, 2, 3}) {
      omp_set_num_threads(threads);
      Tensor y;
      {
        NoGradScope no_grad;
        y = f(in);
      }
      const Tensor g = random_normal(y.shape(), seed + 5, DType::float32);
      std::vector<std::vector<double>> values{y.to_vector()};
      for (const Tensor& d : gradients(f, in, g)) values.push_back(d.to_vector());
      runs.push_back(values);
    }
    omp_set_num_threads(saved_threads);
    for (std::size_t r = 1; r < runs.size(); ++r)
      for (std::size_t i = 0; i < runs[0].size(); ++i) {
        INFO("threads " << r + 1 << ", tensor " << i << " (y, dx, dw, db)");
        REQUIRE(runs[r][i].size() == runs[0][i].size());
        std::size_t differing = 0;
        for (std::size_t e = 0; e < runs[0][i].size(); ++e) differing += runs[r][i][e] != runs[0][i][e] ? 1 : 0;
        CHECK(differing == 0);
      }
  }
}
