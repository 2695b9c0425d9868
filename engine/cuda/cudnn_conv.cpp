// cuDNN convolution through the legacy (descriptor) API with RAII descriptor wrappers.
//
// Algorithm choice: once per (device, dtype, geometry), from cudnnGet*Algorithm_v7's ranked
// heuristics, taking the first candidate that (1) cuDNN reports as supported, (2) is
// CUDNN_DETERMINISTIC, (3) runs in default or FMA math, and (4) needs at most
// k_workspace_limit bytes of workspace. Every convolution descriptor is set to CUDNN_FMA_MATH:
// CUDNN_DEFAULT_MATH alone would let cuDNN use TF32 tensor cores for float32 on Ampere and
// later (10-bit mantissa products), which breaks parity with the CPU backend and PyTorch's
// float32 references; FMA math keeps full float32 products. Heuristics, not cudnnFind*, pick
// the algorithm: Find would benchmark by writing into the real output buffers, which would
// clobber accumulated gradients.
//
// Tensors with more than 2^31 - 1 elements are split along the batch (cuDNN's descriptors use
// int); the weight gradient then accumulates over the chunks with beta = 1.
#include "engine/cuda/cudnn_conv.hpp"

#include <algorithm>
#include <array>
#include <compare>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/core/dtype.hpp"
#include "engine/cuda/cuda_check.hpp"
#include "engine/cuda/device_buffer.hpp"
#include "engine/cuda/stream.hpp"
#include "kernels/cuda/im2col.cuh"

namespace revgan::cuda {

namespace {

using kernels::ConvGeometry;

// Largest workspace an algorithm may ask for; cheaper algorithms are always available.
constexpr std::size_t k_workspace_limit = std::size_t{1} << 30;
constexpr int64_t k_int_max = std::numeric_limits<int>::max();

class TensorDescriptor {
 public:
  TensorDescriptor() { REVGAN_CUDNN_CHECK(cudnnCreateTensorDescriptor(&desc_)); }
  ~TensorDescriptor() { cudnnDestroyTensorDescriptor(desc_); }
  TensorDescriptor(const TensorDescriptor&) = delete;
  TensorDescriptor& operator=(const TensorDescriptor&) = delete;
  // A fully packed NC(D)HW tensor.
  void set(cudnnDataType_t type, const std::vector<int>& dims) {
    std::vector<int> strides(dims.size());
    int64_t stride = 1;
    for (std::size_t i = dims.size(); i-- > 0;) {
      strides[i] = static_cast<int>(stride);
      stride *= dims[i];
    }
    REVGAN_CUDNN_CHECK(
        cudnnSetTensorNdDescriptor(desc_, type, static_cast<int>(dims.size()), dims.data(), strides.data()));
  }
  cudnnTensorDescriptor_t get() const { return desc_; }

 private:
  cudnnTensorDescriptor_t desc_ = nullptr;
};

class FilterDescriptor {
 public:
  FilterDescriptor() { REVGAN_CUDNN_CHECK(cudnnCreateFilterDescriptor(&desc_)); }
  ~FilterDescriptor() { cudnnDestroyFilterDescriptor(desc_); }
  FilterDescriptor(const FilterDescriptor&) = delete;
  FilterDescriptor& operator=(const FilterDescriptor&) = delete;
  void set(cudnnDataType_t type, const std::vector<int>& dims) {
    REVGAN_CUDNN_CHECK(
        cudnnSetFilterNdDescriptor(desc_, type, CUDNN_TENSOR_NCHW, static_cast<int>(dims.size()), dims.data()));
  }
  cudnnFilterDescriptor_t get() const { return desc_; }

 private:
  cudnnFilterDescriptor_t desc_ = nullptr;
};

class ConvolutionDescriptor {
 public:
  ConvolutionDescriptor() { REVGAN_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&desc_)); }
  ~ConvolutionDescriptor() { cudnnDestroyConvolutionDescriptor(desc_); }
  ConvolutionDescriptor(const ConvolutionDescriptor&) = delete;
  ConvolutionDescriptor& operator=(const ConvolutionDescriptor&) = delete;
  void set(cudnnDataType_t type, const std::vector<int>& pad, const std::vector<int>& stride) {
    const std::vector<int> dilation(pad.size(), 1);
    // Cross-correlation is what PyTorch (and the CPU kernels) call convolution.
    REVGAN_CUDNN_CHECK(cudnnSetConvolutionNdDescriptor(desc_, static_cast<int>(pad.size()), pad.data(), stride.data(),
                                                       dilation.data(), CUDNN_CROSS_CORRELATION, type));
    REVGAN_CUDNN_CHECK(cudnnSetConvolutionMathType(desc_, CUDNN_FMA_MATH));
  }
  cudnnConvolutionDescriptor_t get() const { return desc_; }

 private:
  cudnnConvolutionDescriptor_t desc_ = nullptr;
};

struct Choice {
  bool chosen = false;
  int algo = 0;
  std::size_t workspace = 0;
};

// Descriptors of one geometry and the algorithm picked for each direction (on first use).
struct Plan {
  TensorDescriptor x, y;
  FilterDescriptor w;
  ConvolutionDescriptor conv;
  Choice forward, backward_data, backward_filter;
};

struct PlanKey {
  int device = 0;
  int dtype = 0;
  std::array<int64_t, 18> geometry{};
  auto operator<=>(const PlanKey&) const = default;
};

struct PlanCache {
  std::mutex mutex;
  std::map<PlanKey, std::unique_ptr<Plan>> plans;
};

PlanCache& plan_cache() {
  static PlanCache* cache = new PlanCache();  // immortal like the handles it refers to
  return *cache;
}

template <class T>
cudnnDataType_t data_type();
template <>
cudnnDataType_t data_type<float>() {
  return CUDNN_DATA_FLOAT;
}
template <>
cudnnDataType_t data_type<double>() {
  return CUDNN_DATA_DOUBLE;
}

// A 2D conv (D extent, kernel, stride 1 and no padding along D) gets 4D descriptors: cuDNN's 2D
// algorithms are faster than its 3D ones on a depth of one.
bool is_2d(const ConvGeometry& g) {
  return g.input[0] == 1 && g.output[0] == 1 && g.kernel[0] == 1 && g.stride[0] == 1 && g.padding[0] == 0;
}

int as_int(int64_t v) {
  return static_cast<int>(v);
}

std::string describe(const ConvGeometry& g) {
  return fmt::format(
      "batch {}, {} -> {} channels, input {}x{}x{}, output {}x{}x{}, kernel {}x{}x{}, stride {}x{}x{}, "
      "padding {}x{}x{}",
      g.batch, g.in_channels, g.out_channels, g.input[0], g.input[1], g.input[2], g.output[0], g.output[1], g.output[2],
      g.kernel[0], g.kernel[1], g.kernel[2], g.stride[0], g.stride[1], g.stride[2], g.padding[0], g.padding[1],
      g.padding[2]);
}

template <class T>
std::unique_ptr<Plan> make_plan(const ConvGeometry& g) {
  const cudnnDataType_t type = data_type<T>();
  const int first = is_2d(g) ? 1 : 0;
  std::vector<int> x_dims{as_int(g.batch), as_int(g.in_channels)};
  std::vector<int> y_dims{as_int(g.batch), as_int(g.out_channels)};
  std::vector<int> w_dims{as_int(g.out_channels), as_int(g.in_channels)};
  std::vector<int> pad, stride;
  for (int a = first; a < 3; ++a) {
    x_dims.push_back(as_int(g.input[a]));
    y_dims.push_back(as_int(g.output[a]));
    w_dims.push_back(as_int(g.kernel[a]));
    pad.push_back(as_int(g.padding[a]));
    stride.push_back(as_int(g.stride[a]));
  }
  auto plan = std::make_unique<Plan>();
  plan->x.set(type, x_dims);
  plan->y.set(type, y_dims);
  plan->w.set(type, w_dims);
  plan->conv.set(type, pad, stride);
  // The engine's shape rule and cuDNN's must agree; a mismatch is a bug in one of them.
  std::vector<int> expected(y_dims.size());
  REVGAN_CUDNN_CHECK(cudnnGetConvolutionNdForwardOutputDim(plan->conv.get(), plan->x.get(), plan->w.get(),
                                                           static_cast<int>(expected.size()), expected.data()));
  REVGAN_CHECK(expected == y_dims, "conv: cuDNN computes a different output shape for {}", describe(g));
  return plan;
}

// The first ranked candidate that is supported, deterministic, free of tensor-core math and
// within the workspace limit; `workspace_of(algo, &bytes)` confirms it for this descriptor.
template <class Perf, class WorkspaceOf>
Choice choose(const std::vector<Perf>& ranked, int returned, WorkspaceOf&& workspace_of, const char* direction,
              const ConvGeometry& g) {
  for (int i = 0; i < returned; ++i) {
    const Perf& p = ranked[static_cast<std::size_t>(i)];
    if (p.status != CUDNN_STATUS_SUCCESS || p.determinism != CUDNN_DETERMINISTIC) continue;
    if (p.mathType != CUDNN_DEFAULT_MATH && p.mathType != CUDNN_FMA_MATH) continue;
    std::size_t bytes = 0;
    if (workspace_of(p.algo, &bytes) != CUDNN_STATUS_SUCCESS || bytes > k_workspace_limit) continue;
    return Choice{true, static_cast<int>(p.algo), bytes};
  }
  REVGAN_FAIL("conv: cuDNN offers no deterministic FMA-math {} algorithm within {} bytes of workspace for {}",
              direction, k_workspace_limit, describe(g));
}

void choose_forward(cudnnHandle_t h, Plan& p, const ConvGeometry& g) {
  int count = 0;
  REVGAN_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithmMaxCount(h, &count));
  std::vector<cudnnConvolutionFwdAlgoPerf_t> ranked(static_cast<std::size_t>(std::max(count, 1)));
  int returned = 0;
  REVGAN_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(h, p.x.get(), p.w.get(), p.conv.get(), p.y.get(), count,
                                                            &returned, ranked.data()));
  p.forward = choose(
      ranked, returned,
      [&](cudnnConvolutionFwdAlgo_t algo, std::size_t* bytes) {
        return cudnnGetConvolutionForwardWorkspaceSize(h, p.x.get(), p.w.get(), p.conv.get(), p.y.get(), algo, bytes);
      },
      "forward", g);
}

void choose_backward_data(cudnnHandle_t h, Plan& p, const ConvGeometry& g) {
  int count = 0;
  REVGAN_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithmMaxCount(h, &count));
  std::vector<cudnnConvolutionBwdDataAlgoPerf_t> ranked(static_cast<std::size_t>(std::max(count, 1)));
  int returned = 0;
  REVGAN_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(h, p.w.get(), p.y.get(), p.conv.get(), p.x.get(),
                                                                 count, &returned, ranked.data()));
  p.backward_data = choose(
      ranked, returned,
      [&](cudnnConvolutionBwdDataAlgo_t algo, std::size_t* bytes) {
        return cudnnGetConvolutionBackwardDataWorkspaceSize(h, p.w.get(), p.y.get(), p.conv.get(), p.x.get(), algo,
                                                            bytes);
      },
      "backward-data", g);
}

void choose_backward_filter(cudnnHandle_t h, Plan& p, const ConvGeometry& g) {
  int count = 0;
  REVGAN_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(h, &count));
  std::vector<cudnnConvolutionBwdFilterAlgoPerf_t> ranked(static_cast<std::size_t>(std::max(count, 1)));
  int returned = 0;
  REVGAN_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, p.x.get(), p.y.get(), p.conv.get(), p.w.get(),
                                                                   count, &returned, ranked.data()));
  p.backward_filter = choose(
      ranked, returned,
      [&](cudnnConvolutionBwdFilterAlgo_t algo, std::size_t* bytes) {
        return cudnnGetConvolutionBackwardFilterWorkspaceSize(h, p.x.get(), p.y.get(), p.conv.get(), p.w.get(), algo,
                                                              bytes);
      },
      "backward-filter", g);
}

enum class Direction { forward, backward_data, backward_filter };

// The plan for `g` with the algorithm of `direction` chosen. Plans live as long as the process,
// so the returned reference stays valid after the lock is released.
template <class T>
const Plan& plan_for(const ConvGeometry& g, Direction direction) {
  PlanKey key;
  key.device = current_device();
  key.dtype = static_cast<int>(dtype_of<T>());
  key.geometry = {g.batch,     g.in_channels, g.out_channels, g.input[0],   g.input[1],   g.input[2],
                  g.output[0], g.output[1],   g.output[2],    g.kernel[0],  g.kernel[1],  g.kernel[2],
                  g.stride[0], g.stride[1],   g.stride[2],    g.padding[0], g.padding[1], g.padding[2]};
  PlanCache& cache = plan_cache();
  std::lock_guard lock(cache.mutex);
  auto& slot = cache.plans[key];
  if (!slot) slot = make_plan<T>(g);
  Plan& p = *slot;
  cudnnHandle_t h = cudnn();
  if (direction == Direction::forward && !p.forward.chosen) choose_forward(h, p, g);
  if (direction == Direction::backward_data && !p.backward_data.chosen) choose_backward_data(h, p, g);
  if (direction == Direction::backward_filter && !p.backward_filter.chosen) choose_backward_filter(h, p, g);
  return p;
}

// Samples per cuDNN call so that neither x nor y exceeds int-sized element counts.
int64_t batch_chunk(const ConvGeometry& g) {
  const int64_t per_sample =
      std::max(g.in_channels * kernels::volume(g.input), g.out_channels * kernels::volume(g.output));
  REVGAN_CHECK(per_sample <= k_int_max, "conv: one sample has {} elements, more than cuDNN's limit of {} ({})",
               per_sample, k_int_max, describe(g));
  return std::max<int64_t>(1, std::min(g.batch, k_int_max / std::max<int64_t>(per_sample, 1)));
}

// Calls f(chunk geometry, first sample, chunk index) over batch chunks.
template <class F>
void for_each_chunk(const ConvGeometry& g, F&& f) {
  const int64_t chunk = batch_chunk(g);
  int index = 0;
  for (int64_t start = 0; start < g.batch; start += chunk, ++index) {
    ConvGeometry part = g;
    part.batch = std::min(chunk, g.batch - start);
    f(part, start, index);
  }
}

}  // namespace

template <class T>
void cudnn_conv_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y) {
  const int64_t x_sample = g.in_channels * kernels::volume(g.input);
  const int64_t y_sample = g.out_channels * kernels::volume(g.output);
  for_each_chunk(g, [&](const ConvGeometry& part, int64_t start, int) {
    const Plan& p = plan_for<T>(part, Direction::forward);
    T* y_part = y + start * y_sample;
    // Seeding y with the bias and letting cuDNN add onto it (beta = 1) saves a pass, as on the CPU.
    if (bias != nullptr)
      REVGAN_CUDA_CHECK(kernels::cuda::fill_channel_bias<T>(bias, part.batch, g.out_channels, kernels::volume(g.output),
                                                            y_part, stream()));
    const T alpha = 1, beta = bias != nullptr ? 1 : 0;
    DeviceBuffer ws(Device::cuda(current_device()), p.forward.workspace);
    REVGAN_CUDNN_CHECK(cudnnConvolutionForward(cudnn(), &alpha, p.x.get(), x + start * x_sample, p.w.get(), w,
                                               p.conv.get(), static_cast<cudnnConvolutionFwdAlgo_t>(p.forward.algo),
                                               ws.data(), ws.bytes(), &beta, p.y.get(), y_part));
  });
}

template <class T>
void cudnn_conv_backward_data(const ConvGeometry& g, const T* dy, const T* w, T* dx, bool accumulate) {
  const int64_t x_sample = g.in_channels * kernels::volume(g.input);
  const int64_t y_sample = g.out_channels * kernels::volume(g.output);
  for_each_chunk(g, [&](const ConvGeometry& part, int64_t start, int) {
    const Plan& p = plan_for<T>(part, Direction::backward_data);
    const T alpha = 1, beta = accumulate ? 1 : 0;
    DeviceBuffer ws(Device::cuda(current_device()), p.backward_data.workspace);
    REVGAN_CUDNN_CHECK(cudnnConvolutionBackwardData(cudnn(), &alpha, p.w.get(), w, p.y.get(), dy + start * y_sample,
                                                    p.conv.get(),
                                                    static_cast<cudnnConvolutionBwdDataAlgo_t>(p.backward_data.algo),
                                                    ws.data(), ws.bytes(), &beta, p.x.get(), dx + start * x_sample));
  });
}

template <class T>
void cudnn_conv_backward_filter(const ConvGeometry& g, const T* x, const T* dy, T* dw, bool accumulate) {
  const int64_t x_sample = g.in_channels * kernels::volume(g.input);
  const int64_t y_sample = g.out_channels * kernels::volume(g.output);
  for_each_chunk(g, [&](const ConvGeometry& part, int64_t start, int index) {
    const Plan& p = plan_for<T>(part, Direction::backward_filter);
    const T alpha = 1, beta = (accumulate || index > 0) ? 1 : 0;
    DeviceBuffer ws(Device::cuda(current_device()), p.backward_filter.workspace);
    REVGAN_CUDNN_CHECK(cudnnConvolutionBackwardFilter(
        cudnn(), &alpha, p.x.get(), x + start * x_sample, p.y.get(), dy + start * y_sample, p.conv.get(),
        static_cast<cudnnConvolutionBwdFilterAlgo_t>(p.backward_filter.algo), ws.data(), ws.bytes(), &beta, p.w.get(),
        dw));
  });
}

std::size_t cudnn_conv_cached_plans() {
  PlanCache& cache = plan_cache();
  std::lock_guard lock(cache.mutex);
  return cache.plans.size();
}

template void cudnn_conv_forward<float>(const ConvGeometry&, const float*, const float*, const float*, float*);
template void cudnn_conv_forward<double>(const ConvGeometry&, const double*, const double*, const double*, double*);
template void cudnn_conv_backward_data<float>(const ConvGeometry&, const float*, const float*, float*, bool);
template void cudnn_conv_backward_data<double>(const ConvGeometry&, const double*, const double*, double*, bool);
template void cudnn_conv_backward_filter<float>(const ConvGeometry&, const float*, const float*, float*, bool);
template void cudnn_conv_backward_filter<double>(const ConvGeometry&, const double*, const double*, double*, bool);

}  // namespace revgan::cuda
