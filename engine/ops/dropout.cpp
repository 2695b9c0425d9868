// Dropout: argument checks, the mask's seed and threshold, dispatch to kernels/{cpu,cuda}/dropout,
// and a backward node that keeps only the mask parameters (no tensor).
#include "engine/ops/dropout.hpp"

#include <cmath>

#include "engine/ops/op_support.hpp"
#include "kernels/cpu/dropout.hpp"
#ifdef REVGAN_WITH_CUDA
#include "kernels/cuda/dropout.cuh"
#endif

namespace revgan::ops {

namespace {

namespace cpu = kernels::cpu;
#ifdef REVGAN_WITH_CUDA
namespace kcuda = kernels::cuda;
#endif
using kernels::DropoutMask;

void apply_mask(const DropoutMask& mask, const Tensor& x, Tensor& y) {
  dispatch(
      OpKind::dropout, x,
      [&](auto tag) {
        using T = decltype(tag);
        cpu::dropout_apply<T>(x.numel(), mask, x.data<T>(), y.data<T>(), false);
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        REVGAN_CUDA_CHECK(kcuda::dropout_apply<T>(x.numel(), mask, x.data<T>(), y.data<T>(), false, cuda::stream()));
      }));
}

class DropoutBackward final : public Node {
 public:
  explicit DropoutBackward(const DropoutMask& mask) : mask_(mask) {}
  const char* name() const override { return "DropoutBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    Tensor dx = empty_like(grads[0]);
    apply_mask(mask_, grads[0], dx);
    return {dx};
  }

 private:
  DropoutMask mask_;
};

}  // namespace

Tensor dropout(const Tensor& x, double p, bool training, Generator& gen) {
  constexpr OpKind op = OpKind::dropout;
  check_defined(op, "x", x);
  REVGAN_CHECK(std::isfinite(p) && p >= 0 && p <= 1, "{}: p must be in [0, 1], got {}", op_name(op), p);
  if (!training || p == 0) return x;
  DropoutMask mask;
  mask.seed = gen.next_u64();
  // p * 2^53 is exact for every double p in [0, 1]; p = 1 keeps nothing.
  mask.threshold = static_cast<uint64_t>(std::ldexp(p, 53));
  mask.scale = p < 1 ? 1.0 / (1.0 - p) : 0.0;
  Tensor y = empty_like(x);
  apply_mask(mask, x, y);
  if (any_requires_grad({&x})) {
    auto node = std::make_shared<DropoutBackward>(mask);
    node->connect({&x}, {&y});
  }
  return y;
}

}  // namespace revgan::ops
