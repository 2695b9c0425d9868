// Linear up-sampling (bilinear / trilinear, align_corners=False): argument checks, dispatch
// to kernels/{cpu,cuda}/upsample and a backward node that needs only the geometry.
#include "engine/ops/upsample.hpp"

#include "engine/ops/op_support.hpp"
#include "kernels/cpu/upsample.hpp"
#ifdef REVGAN_WITH_CUDA
#include "kernels/cuda/upsample.cuh"
#endif

namespace revgan::ops {

namespace {

namespace cpu = kernels::cpu;
#ifdef REVGAN_WITH_CUDA
namespace kcuda = kernels::cuda;
#endif
using kernels::UpsampleGeometry;

class UpsampleLinearBackward final : public Node {
 public:
  explicit UpsampleLinearBackward(const UpsampleGeometry& g) : g_(g) {}
  const char* name() const override { return "UpsampleLinearBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& dy = grads[0];
    // dx keeps dy's N and C; its spatial extents are the geometry's input.
    Shape in = dy.shape();
    const int spatial = in.rank() - 2;
    for (int a = 0; a < spatial; ++a) in[2 + a] = g_.input[static_cast<std::size_t>(3 - spatial + a)];
    Tensor dx = Tensor::empty(in, dy.dtype(), dy.device());
    dispatch(
        OpKind::upsample_linear, dy,
        [&](auto tag) {
          using T = decltype(tag);
          cpu::upsample_linear_backward<T>(g_, dy.data<T>(), dx.data<T>(), false);
        },
        REVGAN_CUDA_BRANCH([&](auto tag) {
          using T = decltype(tag);
          REVGAN_CUDA_CHECK(
              kcuda::upsample_linear_backward<T>(g_, dy.data<T>(), dx.data<T>(), false, cuda::stream()));
        }));
    return {dx};
  }

 private:
  UpsampleGeometry g_;
};

}  // namespace

Tensor upsample_linear(const Tensor& x, const std::vector<int64_t>& size) {
  constexpr OpKind op = OpKind::upsample_linear;
  check_rank(op, "x", x, 4, 5);
  const int spatial = x.dim() - 2;
  REVGAN_CHECK(size.size() == static_cast<std::size_t>(spatial),
               "{}: 'size' must hold {} values (one per spatial axis of x {}), got {}", op_name(op), spatial,
               x.shape().str(), size.size());

  UpsampleGeometry g;
  g.planes = x.size(0) * x.size(1);
  Shape out_shape = x.shape();
  for (int a = 0; a < spatial; ++a) {
    const auto e = static_cast<std::size_t>(3 - spatial + a);
    const int64_t n_out = size[static_cast<std::size_t>(a)];
    REVGAN_CHECK(n_out >= 1, "{}: 'size' must be positive, got {} for spatial axis {}", op_name(op), n_out, a);
    REVGAN_CHECK(x.size(2 + a) >= 1, "{}: spatial axis {} of x {} is empty", op_name(op), a, x.shape().str());
    g.input[e] = x.size(2 + a);
    g.output[e] = n_out;
    out_shape[2 + a] = n_out;
  }

  Tensor y = Tensor::empty(out_shape, x.dtype(), x.device());
  dispatch(
      op, x,
      [&](auto tag) {
        using T = decltype(tag);
        cpu::upsample_linear_forward<T>(g, x.data<T>(), y.data<T>());
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        REVGAN_CUDA_CHECK(kcuda::upsample_linear_forward<T>(g, x.data<T>(), y.data<T>(), cuda::stream()));
      }));
  if (any_requires_grad({&x})) std::make_shared<UpsampleLinearBackward>(g)->connect({&x}, {&y});
  return y;
}

}  // namespace revgan::ops
