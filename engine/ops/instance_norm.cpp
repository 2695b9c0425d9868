// Instance norm (no affine): argument checks, dispatch to kernels/{cpu,cuda}/instance_norm and a
// backward node that keeps the output and 1/std, never the input, so x can die after forward.
#include "engine/ops/instance_norm.hpp"

#include <cmath>

#include "engine/ops/op_support.hpp"
#include "kernels/cpu/instance_norm.hpp"
#ifdef REVGAN_WITH_CUDA
#include "kernels/cuda/instance_norm.cuh"
#endif

namespace revgan::ops {

namespace {

namespace cpu = kernels::cpu;
#ifdef REVGAN_WITH_CUDA
namespace kcuda = kernels::cuda;
#endif
using kernels::NormGeometry;

class InstanceNormBackward final : public Node {
 public:
  InstanceNormBackward(const NormGeometry& g, Tensor y, Tensor invstd)
      : g_(g), y_(std::move(y)), invstd_(std::move(invstd)) {}
  const char* name() const override { return "InstanceNormBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& dy = grads[0];
    Tensor dx = empty_like(dy);
    dispatch(
        OpKind::instance_norm, dy,
        [&](auto tag) {
          using T = decltype(tag);
          cpu::instance_norm_backward<T>(g_, y_.data<T>(), invstd_.data<T>(), dy.data<T>(), dx.data<T>(), false);
        },
        REVGAN_CUDA_BRANCH([&](auto tag) {
          using T = decltype(tag);
          REVGAN_CUDA_CHECK(kcuda::instance_norm_backward<T>(g_, y_.data<T>(), invstd_.data<T>(), dy.data<T>(),
                                                             dx.data<T>(), false, cuda::stream()));
        }));
    return {dx};
  }
  void release_saved() override { y_ = invstd_ = Tensor(); }
  std::vector<Tensor> saved_tensors() const override { return {y_, invstd_}; }

 private:
  NormGeometry g_;
  Tensor y_, invstd_;
};

}  // namespace

Tensor instance_norm(const Tensor& x, double eps) {
  constexpr OpKind op = OpKind::instance_norm;
  check_rank(op, "x", x, 3, 5);
  REVGAN_CHECK(std::isfinite(eps) && eps >= 0, "{}: eps must be finite and non-negative, got {}", op_name(op), eps);
  NormGeometry g;
  g.instances = x.size(0) * x.size(1);
  g.spatial = 1;
  for (int a = 2; a < x.dim(); ++a) g.spatial *= x.size(a);
  REVGAN_CHECK(g.spatial >= 1, "{}: x {} has no spatial elements to normalise over", op_name(op), x.shape().str());

  Tensor y = empty_like(x);
  Tensor invstd = Tensor::empty(Shape{g.instances}, x.dtype(), x.device());
  dispatch(
      op, x,
      [&](auto tag) {
        using T = decltype(tag);
        cpu::instance_norm_forward<T>(g, eps, x.data<T>(), y.data<T>(), nullptr, invstd.data<T>());
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        REVGAN_CUDA_CHECK(kcuda::instance_norm_forward<T>(g, eps, x.data<T>(), y.data<T>(), nullptr,
                                                          invstd.data<T>(), cuda::stream()));
      }));
  if (any_requires_grad({&x})) {
    auto node = std::make_shared<InstanceNormBackward>(g, save_for_backward(y), std::move(invstd));
    node->connect({&x}, {&y});
  }
  return y;
}

}  // namespace revgan::ops
