// Batch norm: argument checks, dispatch to kernels/{cpu,cuda}/batch_norm, and a backward node
// that keeps x and the per-channel mean and 1/std it was normalised with (PyTorch keeps the
// same); in eval mode those are constants, so dx is a per-channel scale of dy.
#include "engine/ops/batch_norm.hpp"

#include <cmath>

#include "engine/ops/op_support.hpp"
#include "kernels/cpu/batch_norm.hpp"
#ifdef REVGAN_WITH_CUDA
#include "kernels/cuda/batch_norm.cuh"
#endif

namespace revgan::ops {

namespace {

namespace cpu = kernels::cpu;
#ifdef REVGAN_WITH_CUDA
namespace kcuda = kernels::cuda;
#endif
using kernels::BatchNormGeometry;

// Tensors are handles: a copy writes the same storage (the running buffers are updated in place).
template <class T>
T* data_or_null(Tensor t) {
  return t.defined() ? t.data<T>() : nullptr;
}

class BatchNormBackward final : public Node {
 public:
  BatchNormBackward(const BatchNormGeometry& g, bool batch_stats, Tensor x, Tensor mean, Tensor invstd, Tensor weight)
      : g_(g),
        batch_stats_(batch_stats),
        x_(std::move(x)),
        mean_(std::move(mean)),
        invstd_(std::move(invstd)),
        weight_(std::move(weight)) {}
  const char* name() const override { return "BatchNormBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& dy = grads[0];
    Tensor dx = needs_input_grad(0) ? empty_like(dy) : Tensor();
    Tensor dw = needs_input_grad(1) ? Tensor::empty(Shape{g_.channels}, dy.dtype(), dy.device()) : Tensor();
    Tensor db = needs_input_grad(2) ? Tensor::empty(Shape{g_.channels}, dy.dtype(), dy.device()) : Tensor();
    dispatch(
        OpKind::batch_norm, dy,
        [&](auto tag) {
          using T = decltype(tag);
          cpu::batch_norm_backward<T>(g_, batch_stats_, x_.data<T>(), mean_.data<T>(), invstd_.data<T>(),
                                      data_or_null<T>(weight_), dy.data<T>(), data_or_null<T>(dx), false,
                                      data_or_null<T>(dw), data_or_null<T>(db), false);
        },
        REVGAN_CUDA_BRANCH([&](auto tag) {
          using T = decltype(tag);
          REVGAN_CUDA_CHECK(kcuda::batch_norm_backward<T>(g_, batch_stats_, x_.data<T>(), mean_.data<T>(),
                                                          invstd_.data<T>(), data_or_null<T>(weight_), dy.data<T>(),
                                                          data_or_null<T>(dx), false, data_or_null<T>(dw),
                                                          data_or_null<T>(db), false, cuda::stream()));
        }));
    return {dx, dw, db};
  }
  void release_saved() override { x_ = mean_ = invstd_ = weight_ = Tensor(); }
  std::vector<Tensor> saved_tensors() const override { return {x_, mean_, invstd_, weight_}; }

 private:
  BatchNormGeometry g_;
  bool batch_stats_;
  Tensor x_, mean_, invstd_, weight_;
};

void check_channel_vector(OpKind op, std::string_view name, const Tensor& t, const Tensor& x) {
  if (!t.defined()) return;
  check_compatible(op, name, t, "x", x);
  REVGAN_CHECK(t.dim() == 1 && t.size(0) == x.size(1), "{}: {} must have shape [{}] (x {} has {} channels), got {}",
               op_name(op), name, x.size(1), x.shape().str(), x.size(1), t.shape().str());
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, const BatchNormOptions& o) {
  constexpr OpKind op = OpKind::batch_norm;
  check_rank(op, "x", x, 3, 5);
  check_channel_vector(op, "weight", weight, x);
  check_channel_vector(op, "bias", bias, x);
  check_channel_vector(op, "running_mean", running_mean, x);
  check_channel_vector(op, "running_var", running_var, x);
  REVGAN_CHECK(running_mean.defined() == running_var.defined(),
               "{}: running_mean and running_var must be given together", op_name(op));
  REVGAN_CHECK(o.training || running_mean.defined(),
               "{}: eval mode normalises with running statistics, but none were given", op_name(op));
  REVGAN_CHECK(std::isfinite(o.eps) && o.eps >= 0, "{}: eps must be finite and non-negative, got {}", op_name(op),
               o.eps);
  REVGAN_CHECK(std::isfinite(o.momentum) && o.momentum >= 0 && o.momentum <= 1,
               "{}: momentum must be in [0, 1], got {}", op_name(op), o.momentum);
  REVGAN_CHECK(!running_mean.defined() || (!running_mean.requires_grad() && !running_var.requires_grad()),
               "{}: running statistics are buffers and must not require grad", op_name(op));
  BatchNormGeometry g;
  g.batch = x.size(0);
  g.channels = x.size(1);
  g.spatial = 1;
  for (int a = 2; a < x.dim(); ++a) g.spatial *= x.size(a);
  REVGAN_CHECK(g.batch * g.spatial >= 1 && g.channels >= 1, "{}: x {} has no elements to normalise over", op_name(op),
               x.shape().str());
  // PyTorch refuses one value per channel in training: its variance is undefined.
  REVGAN_CHECK(!o.training || g.batch * g.spatial > 1,
               "{}: training mode needs more than one value per channel, x is {}", op_name(op), x.shape().str());

  Tensor y = empty_like(x);
  Tensor mean = Tensor::empty(Shape{g.channels}, x.dtype(), x.device());
  Tensor invstd = Tensor::empty(Shape{g.channels}, x.dtype(), x.device());
  if (!o.training) mean.copy_from(running_mean);
  dispatch(
      op, x,
      [&](auto tag) {
        using T = decltype(tag);
        if (o.training)
          cpu::batch_norm_stats<T>(g, o.eps, o.momentum, x.data<T>(), mean.data<T>(), invstd.data<T>(),
                                   data_or_null<T>(running_mean), data_or_null<T>(running_var));
        else
          cpu::batch_norm_invstd<T>(g.channels, o.eps, running_var.data<T>(), invstd.data<T>());
        cpu::batch_norm_apply<T>(g, x.data<T>(), mean.data<T>(), invstd.data<T>(), data_or_null<T>(weight),
                                 data_or_null<T>(bias), y.data<T>());
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        if (o.training)
          REVGAN_CUDA_CHECK(kcuda::batch_norm_stats<T>(g, o.eps, o.momentum, x.data<T>(), mean.data<T>(),
                                                       invstd.data<T>(), data_or_null<T>(running_mean),
                                                       data_or_null<T>(running_var), cuda::stream()));
        else
          REVGAN_CUDA_CHECK(
              kcuda::batch_norm_invstd<T>(g.channels, o.eps, running_var.data<T>(), invstd.data<T>(), cuda::stream()));
        REVGAN_CUDA_CHECK(kcuda::batch_norm_apply<T>(g, x.data<T>(), mean.data<T>(), invstd.data<T>(),
                                                     data_or_null<T>(weight), data_or_null<T>(bias), y.data<T>(),
                                                     cuda::stream()));
      }));
  if (any_requires_grad({&x, &weight, &bias})) {
    auto node = std::make_shared<BatchNormBackward>(g, o.training, save_for_backward(x), std::move(mean),
                                                    std::move(invstd), save_for_backward(weight));
    node->connect({&x, &weight, &bias}, {&y});
  }
  return y;
}

}  // namespace revgan::ops
