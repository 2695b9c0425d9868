// relu, leaky_relu, tanh, sigmoid, reciprocal: forward, backward nodes and dispatch to
// kernels/{cpu,cuda}/elementwise. Every backward is a function of one tensor: tanh, sigmoid and
// reciprocal save their output y; relu and
// leaky_relu save their input x (same sign as y, and usually an instance norm output that is
// saved anyway) and mark y as rebuildable from x, so a conv that saves y keeps x instead.
#include "engine/ops/activation.hpp"

#include <cmath>

#include "engine/autograd/saved_tensor.hpp"
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

// One traits struct per activation keeps the four ops on a single forward/backward path;
// `slope` is ignored by all but leaky_relu.
struct ReluTraits {
  static constexpr OpKind kind = OpKind::relu;
  static constexpr const char* node_name = "ReluBackward";
  static constexpr bool saves_input = true;
  template <class T> static void forward(int64_t n, T, const T* x, T* y) { cpu::relu_forward(n, x, y); }
  template <class T> static void backward(int64_t n, T, const T* y, const T* dy, T* dx) {
    cpu::relu_backward(n, y, dy, dx, false);
  }
#ifdef REVGAN_WITH_CUDA
  template <class T> static cudaError_t cuda_forward(int64_t n, T, const T* x, T* y, cudaStream_t s) {
    return kcuda::relu_forward(n, x, y, s);
  }
  template <class T> static cudaError_t cuda_backward(int64_t n, T, const T* y, const T* dy, T* dx, cudaStream_t s) {
    return kcuda::relu_backward(n, y, dy, dx, false, s);
  }
#endif
};

struct LeakyReluTraits {
  static constexpr OpKind kind = OpKind::leaky_relu;
  static constexpr const char* node_name = "LeakyReluBackward";
  static constexpr bool saves_input = true;
  template <class T> static void forward(int64_t n, T slope, const T* x, T* y) {
    cpu::leaky_relu_forward(n, slope, x, y);
  }
  template <class T> static void backward(int64_t n, T slope, const T* y, const T* dy, T* dx) {
    cpu::leaky_relu_backward(n, slope, y, dy, dx, false);
  }
#ifdef REVGAN_WITH_CUDA
  template <class T> static cudaError_t cuda_forward(int64_t n, T slope, const T* x, T* y, cudaStream_t s) {
    return kcuda::leaky_relu_forward(n, slope, x, y, s);
  }
  template <class T>
  static cudaError_t cuda_backward(int64_t n, T slope, const T* y, const T* dy, T* dx, cudaStream_t s) {
    return kcuda::leaky_relu_backward(n, slope, y, dy, dx, false, s);
  }
#endif
};

struct TanhTraits {
  static constexpr OpKind kind = OpKind::tanh;
  static constexpr const char* node_name = "TanhBackward";
  static constexpr bool saves_input = false;
  template <class T> static void forward(int64_t n, T, const T* x, T* y) { cpu::tanh_forward(n, x, y); }
  template <class T> static void backward(int64_t n, T, const T* y, const T* dy, T* dx) {
    cpu::tanh_backward(n, y, dy, dx, false);
  }
#ifdef REVGAN_WITH_CUDA
  template <class T> static cudaError_t cuda_forward(int64_t n, T, const T* x, T* y, cudaStream_t s) {
    return kcuda::tanh_forward(n, x, y, s);
  }
  template <class T> static cudaError_t cuda_backward(int64_t n, T, const T* y, const T* dy, T* dx, cudaStream_t s) {
    return kcuda::tanh_backward(n, y, dy, dx, false, s);
  }
#endif
};

struct SigmoidTraits {
  static constexpr OpKind kind = OpKind::sigmoid;
  static constexpr const char* node_name = "SigmoidBackward";
  static constexpr bool saves_input = false;
  template <class T> static void forward(int64_t n, T, const T* x, T* y) { cpu::sigmoid_forward(n, x, y); }
  template <class T> static void backward(int64_t n, T, const T* y, const T* dy, T* dx) {
    cpu::sigmoid_backward(n, y, dy, dx, false);
  }
#ifdef REVGAN_WITH_CUDA
  template <class T> static cudaError_t cuda_forward(int64_t n, T, const T* x, T* y, cudaStream_t s) {
    return kcuda::sigmoid_forward(n, x, y, s);
  }
  template <class T> static cudaError_t cuda_backward(int64_t n, T, const T* y, const T* dy, T* dx, cudaStream_t s) {
    return kcuda::sigmoid_backward(n, y, dy, dx, false, s);
  }
#endif
};

struct ReciprocalTraits {
  static constexpr OpKind kind = OpKind::reciprocal;
  static constexpr const char* node_name = "ReciprocalBackward";
  static constexpr bool saves_input = false;
  template <class T> static void forward(int64_t n, T, const T* x, T* y) { cpu::reciprocal_forward(n, x, y); }
  template <class T> static void backward(int64_t n, T, const T* y, const T* dy, T* dx) {
    cpu::reciprocal_backward(n, y, dy, dx, false);
  }
#ifdef REVGAN_WITH_CUDA
  template <class T> static cudaError_t cuda_forward(int64_t n, T, const T* x, T* y, cudaStream_t s) {
    return kcuda::reciprocal_forward(n, x, y, s);
  }
  template <class T> static cudaError_t cuda_backward(int64_t n, T, const T* y, const T* dy, T* dx, cudaStream_t s) {
    return kcuda::reciprocal_backward(n, y, dy, dx, false, s);
  }
#endif
};

// `saved` is y, or x where Traits::saves_input; the kernels read only its sign or value.
template <class Traits>
class ActivationBackward final : public Node {
 public:
  ActivationBackward(SavedTensor saved, double slope) : saved_(std::move(saved)), slope_(slope) {}
  const char* name() const override { return Traits::node_name; }
  std::vector<Tensor> apply(std::vector<Tensor>& g) override {
    const Tensor& dy = g[0];
    const Tensor saved = saved_.unpack();
    Tensor dx = empty_like(dy);
    dispatch(
        Traits::kind, dy,
        [&](auto tag) {
          using T = decltype(tag);
          Traits::backward(dy.numel(), static_cast<T>(slope_), saved.data<T>(), dy.data<T>(), dx.data<T>());
        },
        REVGAN_CUDA_BRANCH([&](auto tag) {
          using T = decltype(tag);
          REVGAN_CUDA_CHECK(Traits::cuda_backward(dy.numel(), static_cast<T>(slope_), saved.data<T>(),
                                                  dy.data<T>(), dx.data<T>(), cuda::stream()));
        }));
    return {dx};
  }
  void release_saved() override { saved_.reset(); }
  std::vector<Tensor> saved_tensors() const override { return saved_.held(); }

 private:
  SavedTensor saved_;
  double slope_;
};

template <class Traits>
Tensor activate(const Tensor& x, double slope) {
  check_defined(Traits::kind, "x", x);
  Tensor y = empty_like(x);
  dispatch(
      Traits::kind, x,
      [&](auto tag) {
        using T = decltype(tag);
        Traits::forward(x.numel(), static_cast<T>(slope), x.data<T>(), y.data<T>());
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        REVGAN_CUDA_CHECK(
            Traits::cuda_forward(x.numel(), static_cast<T>(slope), x.data<T>(), y.data<T>(), cuda::stream()));
      }));
  if (any_requires_grad({&x})) {
    const SavedTensor saved = SavedTensor::pack(Traits::saves_input ? x : y);
    std::make_shared<ActivationBackward<Traits>>(saved, slope)->connect({&x}, {&y});
  }
  if constexpr (Traits::saves_input) {
    set_recompute(y, x, [slope](const Tensor& source) { return activate<Traits>(source, slope); });
  }
  return y;
}

}  // namespace

Tensor relu(const Tensor& x) { return activate<ReluTraits>(x, 0.0); }

Tensor leaky_relu(const Tensor& x, double slope) {
  // The backward reads the sign of y off the saved x, which only works while slope > 0.
  REVGAN_CHECK(slope > 0.0 && std::isfinite(slope), "{}: 'slope' must be positive and finite, got {}",
               op_name(OpKind::leaky_relu), slope);
  return activate<LeakyReluTraits>(x, slope);
}

Tensor tanh(const Tensor& x) { return activate<TanhTraits>(x, 0.0); }

Tensor sigmoid(const Tensor& x) { return activate<SigmoidTraits>(x, 0.0); }

Tensor reciprocal(const Tensor& x) { return activate<ReciprocalTraits>(x, 0.0); }

}  // namespace revgan::ops
