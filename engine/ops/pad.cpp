// Reflection and replication padding of 4D / 5D tensors: argument checks, the backward node
// and dispatch to kernels/{cpu,cuda}/pad. The backward is a pure function of the geometry.
#include "engine/ops/pad.hpp"

#include <array>
#include <string_view>

#include "engine/autograd/saved_tensor.hpp"
#include "engine/ops/op_support.hpp"
#include "kernels/cpu/pad.hpp"
#ifdef REVGAN_WITH_CUDA
#include "kernels/cuda/pad.cuh"
#endif

namespace revgan::ops {

namespace {

namespace cpu = kernels::cpu;
#ifdef REVGAN_WITH_CUDA
namespace kcuda = kernels::cuda;
#endif
using kernels::PadGeometry;
using kernels::PadMode;

OpKind kind_of(PadMode mode) {
  return mode == PadMode::reflect ? OpKind::reflection_pad : OpKind::replication_pad;
}

// Name of spatial axis `a` of `spatial` axes, as users know them ((D,) H, W).
std::string_view axis_name(int spatial, int a) {
  static constexpr std::array<std::string_view, 3> names{"D", "H", "W"};
  return names[static_cast<std::size_t>(3 - spatial + a)];
}

// The output shape follows from the incoming gradient's N and C and the geometry, so the
// node needs nothing but the geometry to shape dx.
Shape input_shape(const Shape& out, const PadGeometry& g) {
  Shape in = out;
  const int spatial = out.rank() - 2;
  for (int a = 0; a < spatial; ++a) in[2 + a] = g.input[static_cast<std::size_t>(3 - spatial + a)];
  return in;
}

class PadBackward final : public Node {
 public:
  PadBackward(const PadGeometry& g, PadMode mode) : g_(g), mode_(mode) {}
  const char* name() const override {
    return mode_ == PadMode::reflect ? "ReflectionPadBackward" : "ReplicationPadBackward";
  }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& dy = grads[0];
    Tensor dx = Tensor::empty(input_shape(dy.shape(), g_), dy.dtype(), dy.device());
    dispatch(
        kind_of(mode_), dy,
        [&](auto tag) {
          using T = decltype(tag);
          cpu::pad_backward<T>(g_, mode_, dy.data<T>(), dx.data<T>(), false);
        },
        REVGAN_CUDA_BRANCH([&](auto tag) {
          using T = decltype(tag);
          REVGAN_CUDA_CHECK(kcuda::pad_backward<T>(g_, mode_, dy.data<T>(), dx.data<T>(), false, cuda::stream()));
        }));
    return {dx};
  }

 private:
  PadGeometry g_;
  PadMode mode_;
};

// One value for all axes, or one per spatial axis.
int64_t pad_for_axis(OpKind op, std::string_view arg, const std::vector<int64_t>& pads, int spatial, int a) {
  REVGAN_CHECK(pads.size() == 1 || pads.size() == static_cast<std::size_t>(spatial),
               "{}: '{}' must hold 1 or {} values (one per spatial axis), got {}", op_name(op), arg, spatial,
               pads.size());
  const int64_t p = pads.size() == 1 ? pads[0] : pads[static_cast<std::size_t>(a)];
  REVGAN_CHECK(p >= 0, "{}: '{}' must be non-negative, got {} on axis {}", op_name(op), arg, p, axis_name(spatial, a));
  return p;
}

Tensor pad(PadMode mode, const Tensor& x, const std::vector<int64_t>& pad_before,
           const std::vector<int64_t>& pad_after) {
  const OpKind op = kind_of(mode);
  check_rank(op, "x", x, 4, 5);
  const int spatial = x.dim() - 2;

  PadGeometry g;
  g.planes = x.size(0) * x.size(1);
  Shape out_shape = x.shape();
  for (int a = 0; a < spatial; ++a) {
    const auto e = static_cast<std::size_t>(3 - spatial + a);
    const int64_t size = x.size(2 + a);
    const int64_t before = pad_for_axis(op, "pad_before", pad_before, spatial, a);
    const int64_t after = pad_for_axis(op, "pad_after", pad_after, spatial, a);
    REVGAN_CHECK(size >= 1, "{}: axis {} of x {} is empty; padding needs at least one element", op_name(op),
                 axis_name(spatial, a), x.shape().str());
    // One fold of the index must land inside the axis, else the reflection is undefined.
    if (mode == PadMode::reflect) {
      REVGAN_CHECK(before < size && after < size,
                   "{}: padding ({} before, {} after) on axis {} must be smaller than its size {} (x {})", op_name(op),
                   before, after, axis_name(spatial, a), size, x.shape().str());
    }
    g.input[e] = size;
    g.output[e] = size + before + after;
    g.pad_before[e] = before;
    out_shape[2 + a] = g.output[e];
  }

  Tensor y = Tensor::empty(out_shape, x.dtype(), x.device());
  dispatch(
      op, x,
      [&](auto tag) {
        using T = decltype(tag);
        cpu::pad_forward<T>(g, mode, x.data<T>(), y.data<T>());
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        REVGAN_CUDA_CHECK(kcuda::pad_forward<T>(g, mode, x.data<T>(), y.data<T>(), cuda::stream()));
      }));
  if (any_requires_grad({&x})) std::make_shared<PadBackward>(g, mode)->connect({&x}, {&y});
  // A padded copy is cheap to rebuild: ops that save y (conv) keep x instead.
  set_recompute(y, x, [mode, pad_before, pad_after](const Tensor& source) {
    return pad(mode, source, pad_before, pad_after);
  });
  return y;
}

}  // namespace

Tensor reflection_pad(const Tensor& x, const std::vector<int64_t>& pad_before, const std::vector<int64_t>& pad_after) {
  return pad(PadMode::reflect, x, pad_before, pad_after);
}

Tensor replication_pad(const Tensor& x, const std::vector<int64_t>& pad_before, const std::vector<int64_t>& pad_after) {
  return pad(PadMode::replicate, x, pad_before, pad_after);
}

Tensor reflection_pad(const Tensor& x, int64_t pad_all) {
  return reflection_pad(x, {pad_all}, {pad_all});
}

Tensor replication_pad(const Tensor& x, int64_t pad_all) {
  return replication_pad(x, {pad_all}, {pad_all});
}

}  // namespace revgan::ops
