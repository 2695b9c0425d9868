// conv and conv_transpose (2D and 3D): forward, the shared backward node, and dispatch to
// kernels/cpu/conv and kernels/cpu/conv_transpose, or on CUDA to their twins kernels/cuda/conv
// (cuDNN) and kernels/cuda/conv_transpose (cuBLAS + gather). Shape checks live in conv_geometry.
#include "engine/ops/conv.hpp"

#include <utility>

#include "engine/autograd/grad_mode.hpp"
#include "engine/autograd/saved_tensor.hpp"
#include "engine/ops/conv_geometry.hpp"
#include "engine/ops/cpu_conv_backend.hpp"
#include "engine/ops/onednn_weight_cache.hpp"
#include "engine/ops/op_support.hpp"
#include "kernels/cpu/conv.hpp"
#include "kernels/cpu/conv_narrow.hpp"
#include "kernels/cpu/conv_transpose.hpp"
#include "kernels/cpu/onednn_conv.hpp"
#include "kernels/cpu/onednn_conv_transpose.hpp"
#ifdef REVGAN_WITH_CUDA
#include "engine/cuda/library_context.hpp"
#include "kernels/cuda/conv.hpp"
#include "kernels/cuda/conv_transpose.hpp"
#include "kernels/cuda/im2col.cuh"
#endif

namespace revgan::ops {

namespace {

namespace cpu = kernels::cpu;
#ifdef REVGAN_WITH_CUDA
namespace kcuda = kernels::cuda;
#endif
using kernels::ConvGeometry;

// Scratch for im2col / col2im, alive only for the duration of one kernel call sequence.
// The kernels report 0 elements for the 1x1 path, which then takes a null pointer.
class Workspace {
 public:
  Workspace(int64_t elements, const Tensor& like)
      : buffer_(elements > 0 ? Tensor::empty(Shape{elements}, like.dtype(), like.device()) : Tensor()) {}
  template <class T>
  T* get() {
    return buffer_.defined() ? buffer_.data<T>() : nullptr;
  }

 private:
  Tensor buffer_;
};

template <class T>
const T* optional_data(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

using OnednnPass = cpu::onednn::ConvPass;

// The CPU conv passes: oneDNN where cpu_conv_uses_onednn says so (float only), the narrow
// kernels for a forward or weight gradient cpu_conv_uses_narrow takes, else im2col. `weight` is
// the tensor `w` points into, for oneDNN's cache of re-laid-out weights.
template <class T>
void cpu_conv_forward(const ConvGeometry& g, const T* x, const Tensor& weight, const T* bias, T* y, T* ws) {
  const T* w = weight.data<T>();
  if constexpr (std::is_same_v<T, float>) {
    if (cpu_conv_uses_narrow(g, DType::float32, OnednnPass::forward)) {
      cpu::narrow_conv_forward(g, x, w, bias, y);
      return;
    }
  }
#ifdef REVGAN_WITH_ONEDNN
  if constexpr (std::is_same_v<T, float>) {
    if (cpu_conv_uses_onednn(g, DType::float32, OnednnPass::forward)) {
      // Only forwards that autograd records (training) keep weight copies: in a no-grad forward
      // (inference) each weight serves once, and engine/streaming's memory estimates stay exact.
      const Tensor prepared =
          grad_enabled() ? onednn_prepared_weights(weight, g, OnednnPass::forward, bias != nullptr, ws) : Tensor();
      const cpu::onednn::Status st = cpu::onednn::conv_forward(g, x, w, bias, y, ws, optional_data<float>(prepared));
      REVGAN_CHECK(st.ok(), "conv forward: {}", st.message);
      return;
    }
  }
#endif
  cpu::conv_forward<T>(g, x, w, bias, y, ws);
}

template <class T>
void cpu_conv_backward_input(const ConvGeometry& g, const T* dy, const Tensor& weight, T* dx, T* ws) {
  const T* w = weight.data<T>();
#ifdef REVGAN_WITH_ONEDNN
  if constexpr (std::is_same_v<T, float>) {
    if (cpu_conv_uses_onednn(g, DType::float32, OnednnPass::backward_input)) {
      const Tensor prepared = onednn_prepared_weights(weight, g, OnednnPass::backward_input, false, ws);
      const cpu::onednn::Status st = cpu::onednn::conv_backward_input(g, dy, w, dx, ws, optional_data<float>(prepared));
      REVGAN_CHECK(st.ok(), "conv backward: {}", st.message);
      return;
    }
  }
#endif
  cpu::conv_backward_input<T>(g, dy, w, dx, ws, false);
}

template <class T>
void cpu_conv_backward_weight(const ConvGeometry& g, const T* x, const T* dy, T* dw, T* db, T* ws) {
  if constexpr (std::is_same_v<T, float>) {
    if (cpu_conv_uses_narrow(g, DType::float32, OnednnPass::backward_weight)) {
      cpu::narrow_conv_backward_weight(g, x, dy, dw, false);
      if (db != nullptr) cpu::conv_bias_backward<float>(g, dy, db);
      return;
    }
  }
#ifdef REVGAN_WITH_ONEDNN
  if constexpr (std::is_same_v<T, float>) {
    if (cpu_conv_uses_onednn(g, DType::float32, OnednnPass::backward_weight)) {
      // The bias gradient is the im2col kernels' own sum in double: oneDNN's float sum leaves
      // rounding noise ~1e-6 on biases whose true gradient is 0 (in front of an instance
      // norm), which Adam turns into full-size steps.
      const cpu::onednn::Status st = cpu::onednn::conv_backward_weight(g, x, dy, dw, ws);
      REVGAN_CHECK(st.ok(), "conv backward: {}", st.message);
      if (db != nullptr) cpu::conv_bias_backward<float>(g, dy, db);
      return;
    }
  }
#endif
  cpu::conv_backward_weight<T>(g, x, dy, dw, db, ws, false);
}

// dx and dw (either may be null) and db (when non-null) of a transposed conv: oneDNN where
// cpu_conv_transpose_uses_onednn says so; the im2col kernel, which computes all of them from
// one unfolding of dy, takes every pass oneDNN does not.
template <class T>
void cpu_conv_transpose_backward(const ConvGeometry& t, const T* x, const T* dy, const Tensor& weight, T* dx, T* dw,
                                 T* db, T* ws) {
  const T* w = weight.defined() ? weight.data<T>() : nullptr;
#ifdef REVGAN_WITH_ONEDNN
  if constexpr (std::is_same_v<T, float>) {
    if (dx != nullptr && cpu_conv_transpose_uses_onednn(t, DType::float32, OnednnPass::backward_input)) {
      const Tensor prepared =
          onednn_prepared_weights(weight, cpu::onednn::adjoint_conv(t), OnednnPass::forward, false, ws);
      const cpu::onednn::Status st =
          cpu::onednn::conv_transpose_backward_input(t, dy, w, dx, ws, optional_data<float>(prepared));
      REVGAN_CHECK(st.ok(), "conv_transpose backward: {}", st.message);
      dx = nullptr;
    }
    if (dw != nullptr && cpu_conv_transpose_uses_onednn(t, DType::float32, OnednnPass::backward_weight)) {
      const cpu::onednn::Status st = cpu::onednn::conv_transpose_backward_weight(t, x, dy, dw, ws);
      REVGAN_CHECK(st.ok(), "conv_transpose backward: {}", st.message);
      dw = nullptr;
    }
    if (dx == nullptr && dw == nullptr) {
      if (db != nullptr) cpu::conv_bias_backward<float>(t, dy, db);
      return;
    }
  }
#endif
  cpu::conv_transpose_backward<T>(t, x, dy, w, dx, dw, db, ws, false);
}

// Workspace for the backward passes that will run: dx, dw (with db) or both.
int64_t backward_workspace_elements(bool transposed, const ConvGeometry& g, DType dtype, bool dx, bool dw) {
  if (!dx && !dw) return 0;
  const ConvPasses passes = dx && dw ? ConvPasses::backward_both
                                     : (dx ? ConvPasses::backward_input : ConvPasses::backward_weight);
  return transposed ? cpu_conv_transpose_workspace_elements(g, dtype, passes)
                    : cpu_conv_workspace_elements(g, dtype, passes, false);
}

// Backward of conv and of conv_transpose: both are linear in x and in weight, so dx needs
// only the weight and dw only x. Each is saved only when the other input needs its gradient.
class ConvBackward final : public Node {
 public:
  ConvBackward(bool transposed, const ConvGeometry& g, Shape x_shape, Shape w_shape, SavedTensor x, Tensor weight)
      : transposed_(transposed),
        g_(g),
        x_shape_(x_shape),
        w_shape_(w_shape),
        x_(std::move(x)),
        weight_(std::move(weight)) {}

  const char* name() const override { return transposed_ ? "ConvTransposeBackward" : "ConvBackward"; }

  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& dy = grads[0];
    const OpKind op = transposed_ ? OpKind::conv_transpose : OpKind::conv;
    Tensor dx = needs_input_grad(0) ? Tensor::empty(x_shape_, dy.dtype(), dy.device()) : Tensor();
    Tensor dw = needs_input_grad(1) ? Tensor::empty(w_shape_, dy.dtype(), dy.device()) : Tensor();
    Tensor db = needs_input_grad(2) ? Tensor::empty(Shape{g_.out_channels}, dy.dtype(), dy.device()) : Tensor();
    REVGAN_CHECK(!dx.defined() || weight_.defined(), "{}: backward needs the weight, which was not saved",
                 op_name(op));
    REVGAN_CHECK(!dw.defined() || x_.defined(), "{}: backward needs x, which was not saved", op_name(op));
    const Tensor x = dw.defined() ? x_.unpack() : Tensor();
    // Read-only: a mutable access would count as a write of the weight (Storage::version).
    const Tensor& weight = weight_;

    dispatch(op, dy, [&](auto tag) {
      using T = decltype(tag);
      // One workspace serves both passes: they run one after the other.
      Workspace ws(backward_workspace_elements(transposed_, g_, dy.dtype(), dx.defined(), dw.defined()), dy);
      T* db_ptr = db.defined() ? db.data<T>() : nullptr;
      if (transposed_) {
        cpu_conv_transpose_backward<T>(g_, optional_data<T>(x), dy.data<T>(), weight,
                                       dx.defined() ? dx.data<T>() : nullptr, dw.defined() ? dw.data<T>() : nullptr,
                                       db_ptr, ws.get<T>());
        return;
      }
      if (dx.defined()) cpu_conv_backward_input<T>(g_, dy.data<T>(), weight, dx.data<T>(), ws.get<T>());
      if (dw.defined()) {
        cpu_conv_backward_weight<T>(g_, x.data<T>(), dy.data<T>(), dw.data<T>(), db_ptr, ws.get<T>());
      } else if (db_ptr != nullptr) {
        // The weight needs no gradient, so x was not saved: the bias gradient from dy alone.
        cpu::conv_bias_backward<T>(g_, dy.data<T>(), db_ptr);
      }
    }, REVGAN_CUDA_BRANCH([&](auto tag) {
      using T = decltype(tag);
      const kcuda::LibraryContext ctx = cuda::library_context();
      T* db_ptr = db.defined() ? db.data<T>() : nullptr;
      T* dx_ptr = dx.defined() ? dx.data<T>() : nullptr;
      if (transposed_) {
        Workspace ws(dx.defined() || dw.defined() ? kcuda::conv_transpose_workspace_elements(g_) : 0, dy);
        if (dx.defined())
          REVGAN_LIBRARY_CHECK(kcuda::conv_transpose_backward_input<T>(ctx, g_, dy.data<T>(), weight.data<T>(), dx_ptr,
                                                                       ws.get<T>(), false));
        if (dw.defined()) {
          REVGAN_LIBRARY_CHECK(kcuda::conv_transpose_backward_weight<T>(ctx, g_, x.data<T>(), dy.data<T>(),
                                                                        dw.data<T>(), db_ptr, ws.get<T>(), false));
          db_ptr = nullptr;  // written along with dw
        }
      } else {
        if (dx.defined())
          REVGAN_LIBRARY_CHECK(kcuda::conv_backward_input<T>(ctx, g_, dy.data<T>(), weight.data<T>(), dx_ptr, false));
        if (dw.defined()) {
          REVGAN_LIBRARY_CHECK(
              kcuda::conv_backward_weight<T>(ctx, g_, x.data<T>(), dy.data<T>(), dw.data<T>(), db_ptr, false));
          db_ptr = nullptr;  // written along with dw
        }
      }
      // The weight needs no gradient (so x was not saved): the bias gradient is dy's channel sum.
      if (db_ptr != nullptr)
        REVGAN_CUDA_CHECK(kcuda::channel_sum<T>(dy.data<T>(), g_.batch, g_.out_channels, kernels::volume(g_.output),
                                                db_ptr, false, ctx.stream));
    }));
    return {dx, dw, db};
  }

  void release_saved() override {
    x_.reset();
    weight_ = Tensor();
  }
  std::vector<Tensor> saved_tensors() const override {
    std::vector<Tensor> held = x_.held();
    held.push_back(weight_);
    return held;
  }

 private:
  bool transposed_;
  ConvGeometry g_;
  Shape x_shape_, w_shape_;
  SavedTensor x_;  // by recipe when x is a padded or activated tensor
  Tensor weight_;
};

void connect_backward(bool transposed, const ConvGeometry& g, const Tensor& x, const Tensor& weight,
                      const Tensor& bias, Tensor& y) {
  if (!any_requires_grad({&x, &weight, &bias})) return;
  auto node = std::make_shared<ConvBackward>(transposed, g, x.shape(), weight.shape(),
                                             weight.requires_grad() ? SavedTensor::pack(x) : SavedTensor(),
                                             x.requires_grad() ? save_for_backward(weight) : Tensor());
  node->connect({&x, &weight, &bias}, {&y});
}

}  // namespace

Tensor conv(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvOptions& options) {
  const ConvGeometry g = conv_geometry(x, weight, bias, options);
  Tensor y = Tensor::empty(conv_output_shape(g, x.dim()), x.dtype(), x.device());
  dispatch(
      OpKind::conv, x,
      [&](auto tag) {
        using T = decltype(tag);
        Workspace ws(cpu_conv_workspace_elements(g, x.dtype(), ConvPasses::forward, bias.defined()), x);
        cpu_conv_forward<T>(g, x.data<T>(), weight, optional_data<T>(bias), y.data<T>(), ws.get<T>());
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        REVGAN_LIBRARY_CHECK(kcuda::conv_forward<T>(cuda::library_context(), g, x.data<T>(), weight.data<T>(),
                                                    optional_data<T>(bias), y.data<T>()));
      }));
  connect_backward(false, g, x, weight, bias, y);
  return y;
}

Tensor conv_transpose(const Tensor& x, const Tensor& weight, const Tensor& bias,
                      const ConvTransposeOptions& options) {
  const ConvGeometry g = conv_transpose_geometry(x, weight, bias, options);
  Tensor y = Tensor::empty(conv_output_shape(g, x.dim()), x.dtype(), x.device());
  dispatch(
      OpKind::conv_transpose, x,
      [&](auto tag) {
        using T = decltype(tag);
        // Always im2col (cpu_conv_backend.hpp, cpu_conv_transpose_uses_onednn, says why).
        Workspace ws(cpu::conv_transpose_workspace_elements(g), x);
        cpu::conv_transpose_forward<T>(g, x.data<T>(), weight.data<T>(), optional_data<T>(bias), y.data<T>(),
                                       ws.get<T>());
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        Workspace ws(kcuda::conv_transpose_workspace_elements(g), x);
        REVGAN_LIBRARY_CHECK(kcuda::conv_transpose_forward<T>(cuda::library_context(), g, x.data<T>(),
                                                              weight.data<T>(), optional_data<T>(bias), y.data<T>(),
                                                              ws.get<T>()));
      }));
  connect_backward(true, g, x, weight, bias, y);
  return y;
}

}  // namespace revgan::ops
