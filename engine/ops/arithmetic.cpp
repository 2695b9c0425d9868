// add, sub, mul, scale: forward, backward nodes and dispatch to kernels/{cpu,cuda}/elementwise.
#include "engine/ops/arithmetic.hpp"

#include "engine/ops/op_support.hpp"
#include "kernels/cpu/elementwise.hpp"
#ifdef REVGAN_WITH_CUDA
#include "kernels/cuda/elementwise.cuh"
#endif

namespace revgan::ops {

namespace {

namespace cpu = kernels::cpu;
#ifdef REVGAN_WITH_CUDA
namespace kcuda = kernels::cuda;
#endif

// Gradient of a +- b: the upstream gradient itself, negated for b when subtracting.
class AddSubBackward final : public Node {
 public:
  explicit AddSubBackward(double b_sign) : b_sign_(b_sign) {}
  const char* name() const override { return b_sign_ > 0 ? "AddBackward" : "SubBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& g) override {
    Tensor db = needs_input_grad(1) ? (b_sign_ > 0 ? g[0] : scale(g[0], -1.0)) : Tensor();
    return {needs_input_grad(0) ? g[0] : Tensor(), db};
  }

 private:
  double b_sign_;
};

class MulBackward final : public Node {
 public:
  MulBackward(Tensor a, Tensor b) : a_(std::move(a)), b_(std::move(b)) {}
  const char* name() const override { return "MulBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& g) override {
    return {needs_input_grad(0) ? product_grad(g[0], b_) : Tensor(),
            needs_input_grad(1) ? product_grad(g[0], a_) : Tensor()};
  }
  void release_saved() override { a_ = b_ = Tensor(); }
  std::vector<Tensor> saved_tensors() const override { return {a_, b_}; }

 private:
  static Tensor product_grad(const Tensor& dy, const Tensor& other) {
    Tensor dx = empty_like(dy);
    dispatch(
        OpKind::mul, dy,
        [&](auto tag) {
          using T = decltype(tag);
          cpu::mul_backward<T>(dy.numel(), T(1), dy.data<T>(), other.data<T>(), dx.data<T>(), false);
        },
        REVGAN_CUDA_BRANCH([&](auto tag) {
          using T = decltype(tag);
          REVGAN_CUDA_CHECK(kcuda::mul_backward<T>(dy.numel(), T(1), dy.data<T>(), other.data<T>(), dx.data<T>(),
                                                   false, cuda::stream()));
        }));
    return dx;
  }
  Tensor a_, b_;
};

class ScaleBackward final : public Node {
 public:
  explicit ScaleBackward(double alpha) : alpha_(alpha) {}
  const char* name() const override { return "ScaleBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& g) override { return {scale(g[0], alpha_)}; }

 private:
  double alpha_;
};

// `cuda_kernel` returns the launch status; it is ops::NoCudaKernel in builds without CUDA.
template <class Kernel, class CudaKernel>
Tensor binary(OpKind op, const Tensor& a, const Tensor& b, Kernel kernel, CudaKernel cuda_kernel) {
  check_defined(op, "a", a);
  check_same_shape(op, "b", b, "a", a);
  Tensor y = empty_like(a);
  dispatch(
      op, a,
      [&](auto tag) {
        using T = decltype(tag);
        kernel(a.numel(), a.data<T>(), b.data<T>(), y.data<T>());
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        REVGAN_CUDA_CHECK(cuda_kernel(a.numel(), a.data<T>(), b.data<T>(), y.data<T>()));
      }));
  return y;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor y = binary(
      OpKind::add, a, b, [](int64_t n, auto* pa, auto* pb, auto* py) { cpu::add(n, pa, pb, py); },
      REVGAN_CUDA_BRANCH(
          [](int64_t n, auto* pa, auto* pb, auto* py) { return kcuda::add(n, pa, pb, py, cuda::stream()); }));
  if (any_requires_grad({&a, &b})) std::make_shared<AddSubBackward>(1.0)->connect({&a, &b}, {&y});
  return y;
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor y = binary(
      OpKind::sub, a, b, [](int64_t n, auto* pa, auto* pb, auto* py) { cpu::sub(n, pa, pb, py); },
      REVGAN_CUDA_BRANCH(
          [](int64_t n, auto* pa, auto* pb, auto* py) { return kcuda::sub(n, pa, pb, py, cuda::stream()); }));
  if (any_requires_grad({&a, &b})) std::make_shared<AddSubBackward>(-1.0)->connect({&a, &b}, {&y});
  return y;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor y = binary(
      OpKind::mul, a, b, [](int64_t n, auto* pa, auto* pb, auto* py) { cpu::mul(n, pa, pb, py); },
      REVGAN_CUDA_BRANCH(
          [](int64_t n, auto* pa, auto* pb, auto* py) { return kcuda::mul(n, pa, pb, py, cuda::stream()); }));
  if (any_requires_grad({&a, &b})) {
    // Each factor is saved only if the other one needs its gradient.
    auto node = std::make_shared<MulBackward>(b.requires_grad() ? save_for_backward(a) : Tensor(),
                                              a.requires_grad() ? save_for_backward(b) : Tensor());
    node->connect({&a, &b}, {&y});
  }
  return y;
}

Tensor scale(const Tensor& x, double alpha) {
  check_defined(OpKind::scale, "x", x);
  Tensor y = empty_like(x);
  dispatch(
      OpKind::scale, x,
      [&](auto tag) {
        using T = decltype(tag);
        cpu::scale<T>(x.numel(), static_cast<T>(alpha), x.data<T>(), y.data<T>());
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        REVGAN_CUDA_CHECK(kcuda::scale<T>(x.numel(), static_cast<T>(alpha), x.data<T>(), y.data<T>(), cuda::stream()));
      }));
  if (any_requires_grad({&x})) std::make_shared<ScaleBackward>(alpha)->connect({&x}, {&y});
  return y;
}

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  Tensor t = Tensor::empty(shape, dtype, device);
  fill_(t, value);
  return t;
}

Tensor zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }
Tensor zeros_like(const Tensor& t) { return full(t.shape(), 0.0, t.dtype(), t.device()); }
Tensor ones_like(const Tensor& t) { return full(t.shape(), 1.0, t.dtype(), t.device()); }

void fill_(Tensor& t, double value) {
  dispatch(
      OpKind::scale, t,
      [&](auto tag) {
        using T = decltype(tag);
        cpu::fill<T>(t.numel(), static_cast<T>(value), t.data<T>());
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        REVGAN_CUDA_CHECK(kcuda::fill<T>(t.numel(), static_cast<T>(value), t.data<T>(), cuda::stream()));
      }));
}

void add_into(Tensor& dst, const Tensor& src, double alpha) {
  check_same_shape(OpKind::add, "src", src, "dst", dst);
  dispatch(
      OpKind::add, dst,
      [&](auto tag) {
        using T = decltype(tag);
        cpu::axpy<T>(dst.numel(), static_cast<T>(alpha), src.data<T>(), dst.data<T>());
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        REVGAN_CUDA_CHECK(
            kcuda::axpy<T>(dst.numel(), static_cast<T>(alpha), src.data<T>(), dst.data<T>(), cuda::stream()));
      }));
}

}  // namespace revgan::ops
