// sum and mean to a shape-[1] tensor: forward, backward nodes and dispatch to kernels/{cpu,cuda}/reduce.
// The backward needs only the input's shape, so no tensor is saved.
#include "engine/ops/reduce.hpp"

#include "engine/ops/op_support.hpp"
#include "kernels/cpu/reduce.hpp"
#ifdef REVGAN_WITH_CUDA
#include "kernels/cuda/reduce.cuh"
#endif

namespace revgan::ops {

namespace {

namespace cpu = kernels::cpu;
#ifdef REVGAN_WITH_CUDA
namespace kcuda = kernels::cuda;
#endif

// Both reductions broadcast the incoming scalar, mean after dividing it by the element count.
class BroadcastBackward : public Node {
 public:
  BroadcastBackward(OpKind kind, const Tensor& x, double divisor)
      : kind_(kind), meta_{x.shape(), x.dtype(), x.device()}, divisor_(divisor) {}
  std::vector<Tensor> apply(std::vector<Tensor>& g) override {
    const Tensor& dy = g[0];
    Tensor dx = Tensor::empty(meta_.shape, meta_.dtype, meta_.device);
    dispatch(
        kind_, dy,
        [&](auto tag) {
          using T = decltype(tag);
          const double scaled = static_cast<double>(dy.data<T>()[0]) / divisor_;
          cpu::broadcast_scalar<T>(dx.numel(), static_cast<T>(scaled), dx.data<T>(), false);
        },
        REVGAN_CUDA_BRANCH([&](auto tag) {
          using T = decltype(tag);
          // The upstream scalar stays on the device; the kernel reads and scales it there.
          REVGAN_CUDA_CHECK(
              kcuda::broadcast_scalar<T>(dx.numel(), dy.data<T>(), divisor_, dx.data<T>(), false, cuda::stream()));
        }));
    return {dx};
  }

 private:
  OpKind kind_;
  OutputMeta meta_;
  double divisor_;
};

class SumBackward final : public BroadcastBackward {
 public:
  explicit SumBackward(const Tensor& x) : BroadcastBackward(OpKind::sum, x, 1.0) {}
  const char* name() const override { return "SumBackward"; }
};

class MeanBackward final : public BroadcastBackward {
 public:
  explicit MeanBackward(const Tensor& x) : BroadcastBackward(OpKind::mean, x, static_cast<double>(x.numel())) {}
  const char* name() const override { return "MeanBackward"; }
};

Tensor reduce_sum(OpKind op, const Tensor& x, double divisor) {
  Tensor y = Tensor::empty(Shape{1}, x.dtype(), x.device());
  dispatch(
      op, x,
      [&](auto tag) {
        using T = decltype(tag);
        y.data<T>()[0] = static_cast<T>(cpu::sum<T>(x.numel(), x.data<T>()) / divisor);
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        Tensor partials = Tensor::empty(Shape{kcuda::reduce_workspace_elements()}, DType::float64, x.device());
        REVGAN_CUDA_CHECK(
            kcuda::sum<T>(x.numel(), x.data<T>(), divisor, y.data<T>(), partials.data<double>(), cuda::stream()));
      }));
  return y;
}

}  // namespace

Tensor sum(const Tensor& x) {
  check_defined(OpKind::sum, "x", x);
  Tensor y = reduce_sum(OpKind::sum, x, 1.0);
  if (any_requires_grad({&x})) std::make_shared<SumBackward>(x)->connect({&x}, {&y});
  return y;
}

Tensor mean(const Tensor& x) {
  check_defined(OpKind::mean, "x", x);
  REVGAN_CHECK(x.numel() > 0, "{}: 'x' has shape {} with no elements; the mean of nothing is undefined",
               op_name(OpKind::mean), x.shape().str());
  Tensor y = reduce_sum(OpKind::mean, x, static_cast<double>(x.numel()));
  if (any_requires_grad({&x})) std::make_shared<MeanBackward>(x)->connect({&x}, {&y});
  return y;
}

}  // namespace revgan::ops
