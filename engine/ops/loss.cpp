// l1, mse, bce, bce_with_logits (mean reduction): forward, backward nodes and dispatch to
// kernels/{cpu,cuda}/reduce. Only the prediction is differentiated; the target never gets a gradient.
#include "engine/ops/loss.hpp"

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

// One traits struct per loss keeps the four ops on a single checked forward/backward path.
struct L1Traits {
  static constexpr OpKind kind = OpKind::l1_loss;
  static constexpr const char* node_name = "L1LossBackward";
  static constexpr const char* input_name = "x";
  template <class T> static double forward(int64_t n, const T* x, const T* t) { return cpu::l1_loss(n, x, t); }
  template <class T> static void backward(int64_t n, T g, const T* x, const T* t, T* dx) {
    cpu::l1_loss_backward(n, g, x, t, dx, false);
  }
#ifdef REVGAN_WITH_CUDA
  template <class T>
  static cudaError_t cuda_forward(int64_t n, const T* x, const T* t, T* out, double* ws, cudaStream_t s) {
    return kcuda::l1_loss(n, x, t, out, ws, s);
  }
  template <class T>
  static cudaError_t cuda_backward(int64_t n, const T* g, const T* x, const T* t, T* dx, cudaStream_t s) {
    return kcuda::l1_loss_backward(n, g, x, t, dx, false, s);
  }
#endif
};

struct MseTraits {
  static constexpr OpKind kind = OpKind::mse_loss;
  static constexpr const char* node_name = "MseLossBackward";
  static constexpr const char* input_name = "x";
  template <class T> static double forward(int64_t n, const T* x, const T* t) { return cpu::mse_loss(n, x, t); }
  template <class T> static void backward(int64_t n, T g, const T* x, const T* t, T* dx) {
    cpu::mse_loss_backward(n, g, x, t, dx, false);
  }
#ifdef REVGAN_WITH_CUDA
  template <class T>
  static cudaError_t cuda_forward(int64_t n, const T* x, const T* t, T* out, double* ws, cudaStream_t s) {
    return kcuda::mse_loss(n, x, t, out, ws, s);
  }
  template <class T>
  static cudaError_t cuda_backward(int64_t n, const T* g, const T* x, const T* t, T* dx, cudaStream_t s) {
    return kcuda::mse_loss_backward(n, g, x, t, dx, false, s);
  }
#endif
};

struct BceTraits {
  static constexpr OpKind kind = OpKind::bce_loss;
  static constexpr const char* node_name = "BceLossBackward";
  static constexpr const char* input_name = "p";
  template <class T> static double forward(int64_t n, const T* p, const T* t) { return cpu::bce_loss(n, p, t); }
  template <class T> static void backward(int64_t n, T g, const T* p, const T* t, T* dx) {
    cpu::bce_loss_backward(n, g, p, t, dx, false);
  }
#ifdef REVGAN_WITH_CUDA
  template <class T>
  static cudaError_t cuda_forward(int64_t n, const T* x, const T* t, T* out, double* ws, cudaStream_t s) {
    return kcuda::bce_loss(n, x, t, out, ws, s);
  }
  template <class T>
  static cudaError_t cuda_backward(int64_t n, const T* g, const T* x, const T* t, T* dx, cudaStream_t s) {
    return kcuda::bce_loss_backward(n, g, x, t, dx, false, s);
  }
#endif
};

struct BceWithLogitsTraits {
  static constexpr OpKind kind = OpKind::bce_with_logits_loss;
  static constexpr const char* node_name = "BceWithLogitsLossBackward";
  static constexpr const char* input_name = "logits";
  template <class T> static double forward(int64_t n, const T* z, const T* t) {
    return cpu::bce_with_logits_loss(n, z, t);
  }
  template <class T> static void backward(int64_t n, T g, const T* z, const T* t, T* dx) {
    cpu::bce_with_logits_loss_backward(n, g, z, t, dx, false);
  }
#ifdef REVGAN_WITH_CUDA
  template <class T>
  static cudaError_t cuda_forward(int64_t n, const T* x, const T* t, T* out, double* ws, cudaStream_t s) {
    return kcuda::bce_with_logits_loss(n, x, t, out, ws, s);
  }
  template <class T>
  static cudaError_t cuda_backward(int64_t n, const T* g, const T* x, const T* t, T* dx, cudaStream_t s) {
    return kcuda::bce_with_logits_loss_backward(n, g, x, t, dx, false, s);
  }
#endif
};

template <class Traits>
class LossBackward final : public Node {
 public:
  LossBackward(Tensor x, Tensor target) : x_(std::move(x)), target_(std::move(target)) {}
  const char* name() const override { return Traits::node_name; }
  std::vector<Tensor> apply(std::vector<Tensor>& g) override {
    if (!needs_input_grad(0)) return {Tensor(), Tensor()};
    const Tensor& dy = g[0];
    Tensor dx = empty_like(x_);
    dispatch(
        Traits::kind, x_,
        [&](auto tag) {
          using T = decltype(tag);
          Traits::backward(x_.numel(), dy.data<T>()[0], x_.data<T>(), target_.data<T>(), dx.data<T>());
        },
        REVGAN_CUDA_BRANCH([&](auto tag) {
          using T = decltype(tag);
          // The upstream scalar stays on the device; the kernel reads it there.
          REVGAN_CUDA_CHECK(Traits::cuda_backward(x_.numel(), dy.data<T>(), x_.data<T>(), target_.data<T>(),
                                                  dx.data<T>(), cuda::stream()));
        }));
    return {dx, Tensor()};
  }
  void release_saved() override { x_ = target_ = Tensor(); }
  std::vector<Tensor> saved_tensors() const override { return {x_, target_}; }

 private:
  Tensor x_, target_;
};

template <class Traits>
Tensor loss(const Tensor& x, const Tensor& target) {
  constexpr OpKind op = Traits::kind;
  check_defined(op, Traits::input_name, x);
  check_same_shape(op, "target", target, Traits::input_name, x);
  REVGAN_CHECK(x.numel() > 0, "{}: '{}' has shape {} with no elements; the mean of nothing is undefined",
               op_name(op), Traits::input_name, x.shape().str());
  Tensor y = Tensor::empty(Shape{1}, x.dtype(), x.device());
  dispatch(
      op, x,
      [&](auto tag) {
        using T = decltype(tag);
        y.data<T>()[0] = static_cast<T>(Traits::forward(x.numel(), x.data<T>(), target.data<T>()));
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        Tensor partials = Tensor::empty(Shape{kcuda::reduce_workspace_elements()}, DType::float64, x.device());
        REVGAN_CUDA_CHECK(Traits::cuda_forward(x.numel(), x.data<T>(), target.data<T>(), y.data<T>(),
                                               partials.data<double>(), cuda::stream()));
      }));
  // Only the prediction decides whether to record: a loss whose target alone requires grad
  // has nothing to differentiate. The target gets no edge, so backward never walks (and
  // zero-fills) the graph that produced it.
  if (any_requires_grad({&x})) {
    auto node = std::make_shared<LossBackward<Traits>>(save_for_backward(x), save_for_backward(target));
    node->connect({&x, nullptr}, {&y});
  }
  return y;
}

}  // namespace

Tensor l1_loss(const Tensor& x, const Tensor& target) { return loss<L1Traits>(x, target); }
Tensor mse_loss(const Tensor& x, const Tensor& target) { return loss<MseTraits>(x, target); }
Tensor bce_loss(const Tensor& p, const Tensor& target) { return loss<BceTraits>(p, target); }
Tensor bce_with_logits_loss(const Tensor& logits, const Tensor& target) {
  return loss<BceWithLogitsTraits>(logits, target);
}

}  // namespace revgan::ops
