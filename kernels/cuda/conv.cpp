// cuDNN convolution through the legacy (descriptor) API with RAII descriptor wrappers.
//
// Algorithm choice: once per (device, dtype, geometry, workspace policy), from
// cudnnGet*Algorithm_v7's ranked heuristics. Eligible candidates are those that (1) cuDNN reports
// as supported, (2) are CUDNN_DETERMINISTIC, (3) run in default or FMA math, and (4) need at most
// k_workspace_limit bytes of workspace. The fastest policy takes the first eligible candidate;
// the lean one (LibraryContext::lean_conv_workspace) the first whose workspace is no larger than
// the conv's largest operand (input, output or filter), else the eligible one needing the least
// (a workspace is live next to the step's activations, and the heuristics' favourite can ask for
// tens of MiB). Every convolution descriptor is set to CUDNN_FMA_MATH:
// CUDNN_DEFAULT_MATH alone would let cuDNN use TF32 tensor cores for float32 on Ampere and
// later (10-bit mantissa products), which breaks parity with the CPU backend and PyTorch's
// float32 references; FMA math keeps full float32 products. Heuristics, not cudnnFind*, pick
// the algorithm: Find would benchmark by writing into the real output buffers, which would
// clobber accumulated gradients.
//
// Tensors with more than 2^31 - 1 elements are split along the batch (cuDNN's descriptors use
// int); the weight gradient then accumulates over the chunks with beta = 1. Every cuDNN status
// is returned to the caller as a LibraryStatus (the engine turns it into its error).
#include "kernels/cuda/conv.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <compare>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/cuda/im2col.cuh"

namespace revgan::kernels::cuda {

namespace {

// Largest workspace an algorithm may ask for; cheaper algorithms are always available.
constexpr std::size_t k_workspace_limit = std::size_t{1} << 30;
constexpr int64_t k_int_max = std::numeric_limits<int>::max();

// Owns one cuDNN descriptor; create() must succeed before use.
template <class Handle, cudnnStatus_t (*Create)(Handle*), cudnnStatus_t (*Destroy)(Handle)>
class Descriptor {
 public:
  Descriptor() = default;
  ~Descriptor() {
    if (desc_ != nullptr) Destroy(desc_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  LibraryStatus create() {
    REVGAN_TRY_CUDNN(Create(&desc_));
    return {};
  }
  Handle get() const { return desc_; }

 private:
  Handle desc_ = nullptr;
};

using TensorDescriptor = Descriptor<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor>;
using FilterDescriptor = Descriptor<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor, cudnnDestroyFilterDescriptor>;
using ConvolutionDescriptor =
    Descriptor<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor, cudnnDestroyConvolutionDescriptor>;

// A fully packed NC(D)HW tensor.
LibraryStatus set_packed(const TensorDescriptor& d, cudnnDataType_t type, const std::vector<int>& dims) {
  std::vector<int> strides(dims.size());
  int64_t stride = 1;
  for (std::size_t i = dims.size(); i-- > 0;) {
    strides[i] = static_cast<int>(stride);
    stride *= dims[i];
  }
  REVGAN_TRY_CUDNN(
      cudnnSetTensorNdDescriptor(d.get(), type, static_cast<int>(dims.size()), dims.data(), strides.data()));
  return {};
}

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
  int dtype = 0;  // the cuDNN data type
  bool lean = false;  // the workspace policy the algorithms were chosen under
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
LibraryStatus make_plan(const ConvGeometry& g, std::unique_ptr<Plan>* out) {
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
  REVGAN_TRY(plan->x.create());
  REVGAN_TRY(plan->y.create());
  REVGAN_TRY(plan->w.create());
  REVGAN_TRY(plan->conv.create());
  REVGAN_TRY(set_packed(plan->x, type, x_dims));
  REVGAN_TRY(set_packed(plan->y, type, y_dims));
  REVGAN_TRY_CUDNN(cudnnSetFilterNdDescriptor(plan->w.get(), type, CUDNN_TENSOR_NCHW, static_cast<int>(w_dims.size()),
                                              w_dims.data()));
  const std::vector<int> dilation(pad.size(), 1);
  // Cross-correlation is what PyTorch (and the CPU kernels) call convolution.
  REVGAN_TRY_CUDNN(cudnnSetConvolutionNdDescriptor(plan->conv.get(), static_cast<int>(pad.size()), pad.data(),
                                                   stride.data(), dilation.data(), CUDNN_CROSS_CORRELATION, type));
  REVGAN_TRY_CUDNN(cudnnSetConvolutionMathType(plan->conv.get(), CUDNN_FMA_MATH));
  // The engine's shape rule and cuDNN's must agree; a mismatch is a bug in one of them.
  std::vector<int> expected(y_dims.size());
  REVGAN_TRY_CUDNN(cudnnGetConvolutionNdForwardOutputDim(plan->conv.get(), plan->x.get(), plan->w.get(),
                                                         static_cast<int>(expected.size()), expected.data()));
  if (expected != y_dims)
    return LibraryStatus::unsupported(fmt::format("conv: cuDNN computes a different output shape for {}", describe(g)));
  *out = std::move(plan);
  return {};
}

// The bytes of the conv's largest operand (x, y or w): the lean policy's workspace preference.
template <class T>
std::size_t largest_operand_bytes(const ConvGeometry& g) {
  const int64_t x = g.batch * g.in_channels * kernels::volume(g.input);
  const int64_t y = g.batch * g.out_channels * kernels::volume(g.output);
  const int64_t w = g.out_channels * g.in_channels * kernels::volume(g.kernel);
  return static_cast<std::size_t>(std::max({x, y, w})) * sizeof(T);
}

// An eligible candidate (supported, deterministic, free of tensor-core math, within the
// workspace limit) by the policy described at the top; `workspace_of(algo, &bytes)` confirms
// its workspace for this descriptor. `preferred` is the lean policy's workspace preference, or
// the limit itself under the fastest policy.
template <class Perf, class WorkspaceOf>
LibraryStatus choose(const std::vector<Perf>& ranked, int returned, WorkspaceOf&& workspace_of, std::size_t preferred,
                     const char* direction, const ConvGeometry& g, Choice* out) {
  Choice least;  // the eligible candidate with the least workspace, the first of equals
  for (int i = 0; i < returned; ++i) {
    const Perf& p = ranked[static_cast<std::size_t>(i)];
    if (p.status != CUDNN_STATUS_SUCCESS || p.determinism != CUDNN_DETERMINISTIC) continue;
    if (p.mathType != CUDNN_DEFAULT_MATH && p.mathType != CUDNN_FMA_MATH) continue;
    std::size_t bytes = 0;
    if (workspace_of(p.algo, &bytes) != CUDNN_STATUS_SUCCESS || bytes > k_workspace_limit) continue;
    if (bytes <= preferred) {
      *out = Choice{true, static_cast<int>(p.algo), bytes};
      return {};
    }
    if (!least.chosen || bytes < least.workspace) least = Choice{true, static_cast<int>(p.algo), bytes};
  }
  if (least.chosen) {
    *out = least;
    return {};
  }
  return LibraryStatus::unsupported(
      fmt::format("conv: cuDNN offers no deterministic FMA-math {} algorithm within {} bytes of workspace for {}",
                  direction, k_workspace_limit, describe(g)));
}

// Ranks the direction's algorithms with cuDNN's heuristics (`rank(count, &returned, results)`)
// and chooses one.
template <class Perf, class Rank, class WorkspaceOf>
LibraryStatus choose_for(cudnnStatus_t (*max_count)(cudnnHandle_t, int*), cudnnHandle_t h, Rank&& rank,
                         WorkspaceOf&& workspace_of, std::size_t preferred, const char* direction,
                         const ConvGeometry& g, Choice* out) {
  int count = 0;
  REVGAN_TRY_CUDNN(max_count(h, &count));
  std::vector<Perf> ranked(static_cast<std::size_t>(std::max(count, 1)));
  int returned = 0;
  REVGAN_TRY_CUDNN(rank(count, &returned, ranked.data()));
  return choose(ranked, returned, workspace_of, preferred, direction, g, out);
}

LibraryStatus choose_forward(cudnnHandle_t h, Plan& p, const ConvGeometry& g, std::size_t preferred) {
  return choose_for<cudnnConvolutionFwdAlgoPerf_t>(
      cudnnGetConvolutionForwardAlgorithmMaxCount, h,
      [&](int count, int* returned, cudnnConvolutionFwdAlgoPerf_t* results) {
        return cudnnGetConvolutionForwardAlgorithm_v7(h, p.x.get(), p.w.get(), p.conv.get(), p.y.get(), count, returned,
                                                      results);
      },
      [&](cudnnConvolutionFwdAlgo_t algo, std::size_t* bytes) {
        return cudnnGetConvolutionForwardWorkspaceSize(h, p.x.get(), p.w.get(), p.conv.get(), p.y.get(), algo, bytes);
      },
      preferred, "forward", g, &p.forward);
}

LibraryStatus choose_backward_data(cudnnHandle_t h, Plan& p, const ConvGeometry& g, std::size_t preferred) {
  return choose_for<cudnnConvolutionBwdDataAlgoPerf_t>(
      cudnnGetConvolutionBackwardDataAlgorithmMaxCount, h,
      [&](int count, int* returned, cudnnConvolutionBwdDataAlgoPerf_t* results) {
        return cudnnGetConvolutionBackwardDataAlgorithm_v7(h, p.w.get(), p.y.get(), p.conv.get(), p.x.get(), count,
                                                           returned, results);
      },
      [&](cudnnConvolutionBwdDataAlgo_t algo, std::size_t* bytes) {
        return cudnnGetConvolutionBackwardDataWorkspaceSize(h, p.w.get(), p.y.get(), p.conv.get(), p.x.get(), algo,
                                                            bytes);
      },
      preferred, "backward-data", g, &p.backward_data);
}

LibraryStatus choose_backward_filter(cudnnHandle_t h, Plan& p, const ConvGeometry& g, std::size_t preferred) {
  return choose_for<cudnnConvolutionBwdFilterAlgoPerf_t>(
      cudnnGetConvolutionBackwardFilterAlgorithmMaxCount, h,
      [&](int count, int* returned, cudnnConvolutionBwdFilterAlgoPerf_t* results) {
        return cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, p.x.get(), p.y.get(), p.conv.get(), p.w.get(), count,
                                                             returned, results);
      },
      [&](cudnnConvolutionBwdFilterAlgo_t algo, std::size_t* bytes) {
        return cudnnGetConvolutionBackwardFilterWorkspaceSize(h, p.x.get(), p.y.get(), p.conv.get(), p.w.get(), algo,
                                                              bytes);
      },
      preferred, "backward-filter", g, &p.backward_filter);
}

enum class Direction { forward, backward_data, backward_filter };

// The plan for `g` on ctx's device with the algorithm of `direction` chosen. Plans live as long as
// the process, so the returned pointer stays valid after the lock is released.
template <class T>
LibraryStatus plan_for(const LibraryContext& ctx, const ConvGeometry& g, Direction direction, const Plan** out) {
  PlanKey key;
  key.device = ctx.device;
  key.dtype = static_cast<int>(data_type<T>());
  key.lean = ctx.lean_conv_workspace;
  key.geometry = {g.batch,     g.in_channels, g.out_channels, g.input[0],   g.input[1],   g.input[2],
                  g.output[0], g.output[1],   g.output[2],    g.kernel[0],  g.kernel[1],  g.kernel[2],
                  g.stride[0], g.stride[1],   g.stride[2],    g.padding[0], g.padding[1], g.padding[2]};
  PlanCache& cache = plan_cache();
  std::lock_guard lock(cache.mutex);
  auto& slot = cache.plans[key];
  if (!slot) {
    std::unique_ptr<Plan> made;
    if (LibraryStatus s = make_plan<T>(g, &made); !s.ok()) {
      cache.plans.erase(key);
      return s;
    }
    slot = std::move(made);
  }
  Plan& p = *slot;
  const std::size_t preferred = ctx.lean_conv_workspace ? largest_operand_bytes<T>(g) : k_workspace_limit;
  if (direction == Direction::forward && !p.forward.chosen) REVGAN_TRY(choose_forward(ctx.cudnn, p, g, preferred));
  if (direction == Direction::backward_data && !p.backward_data.chosen)
    REVGAN_TRY(choose_backward_data(ctx.cudnn, p, g, preferred));
  if (direction == Direction::backward_filter && !p.backward_filter.chosen)
    REVGAN_TRY(choose_backward_filter(ctx.cudnn, p, g, preferred));
  *out = &p;
  return {};
}

// Samples per cuDNN call so that neither x nor y exceeds int-sized element counts.
LibraryStatus batch_chunk(const ConvGeometry& g, int64_t* chunk) {
  const int64_t per_sample =
      std::max(g.in_channels * kernels::volume(g.input), g.out_channels * kernels::volume(g.output));
  if (per_sample > k_int_max)
    return LibraryStatus::unsupported(fmt::format(
        "conv: one sample has {} elements, more than cuDNN's limit of {} ({})", per_sample, k_int_max, describe(g)));
  *chunk = std::max<int64_t>(1, std::min(g.batch, k_int_max / std::max<int64_t>(per_sample, 1)));
  return {};
}

// Calls f(chunk geometry, first sample, chunk index) over batch chunks; f returns a status.
template <class F>
LibraryStatus for_each_chunk(const ConvGeometry& g, F&& f) {
  int64_t chunk = 0;
  REVGAN_TRY(batch_chunk(g, &chunk));
  int index = 0;
  for (int64_t start = 0; start < g.batch; start += chunk, ++index) {
    ConvGeometry part = g;
    part.batch = std::min(chunk, g.batch - start);
    REVGAN_TRY(f(part, start, index));
  }
  return {};
}

}  // namespace

template <class T>
LibraryStatus conv_forward(const LibraryContext& ctx, const ConvGeometry& g, const T* x, const T* w, const T* bias,
                           T* y) {
  const int64_t x_sample = g.in_channels * kernels::volume(g.input);
  const int64_t y_sample = g.out_channels * kernels::volume(g.output);
  return for_each_chunk(g, [&](const ConvGeometry& part, int64_t start, int) -> LibraryStatus {
    const Plan* p = nullptr;
    REVGAN_TRY(plan_for<T>(ctx, part, Direction::forward, &p));
    T* y_part = y + start * y_sample;
    // Seeding y with the bias and letting cuDNN add onto it (beta = 1) saves a pass, as on the CPU.
    if (bias != nullptr)
      REVGAN_TRY_CUDA(
          fill_channel_bias<T>(bias, part.batch, g.out_channels, kernels::volume(g.output), y_part, ctx.stream));
    const T alpha = 1, beta = bias != nullptr ? 1 : 0;
    const std::shared_ptr<void> ws = ctx.scratch(p->forward.workspace);
    REVGAN_TRY_CUDNN(cudnnConvolutionForward(ctx.cudnn, &alpha, p->x.get(), x + start * x_sample, p->w.get(), w,
                                             p->conv.get(), static_cast<cudnnConvolutionFwdAlgo_t>(p->forward.algo),
                                             ws.get(), p->forward.workspace, &beta, p->y.get(), y_part));
    return {};
  });
}

template <class T>
LibraryStatus conv_backward_input(const LibraryContext& ctx, const ConvGeometry& g, const T* dy, const T* w, T* dx,
                                  bool accumulate) {
  const int64_t x_sample = g.in_channels * kernels::volume(g.input);
  const int64_t y_sample = g.out_channels * kernels::volume(g.output);
  return for_each_chunk(g, [&](const ConvGeometry& part, int64_t start, int) -> LibraryStatus {
    const Plan* p = nullptr;
    REVGAN_TRY(plan_for<T>(ctx, part, Direction::backward_data, &p));
    const T alpha = 1, beta = accumulate ? 1 : 0;
    const std::shared_ptr<void> ws = ctx.scratch(p->backward_data.workspace);
    REVGAN_TRY_CUDNN(
        cudnnConvolutionBackwardData(ctx.cudnn, &alpha, p->w.get(), w, p->y.get(), dy + start * y_sample, p->conv.get(),
                                     static_cast<cudnnConvolutionBwdDataAlgo_t>(p->backward_data.algo), ws.get(),
                                     p->backward_data.workspace, &beta, p->x.get(), dx + start * x_sample));
    return {};
  });
}

template <class T>
LibraryStatus conv_backward_weight(const LibraryContext& ctx, const ConvGeometry& g, const T* x, const T* dy, T* dw,
                                   T* db, bool accumulate) {
  const int64_t x_sample = g.in_channels * kernels::volume(g.input);
  const int64_t y_sample = g.out_channels * kernels::volume(g.output);
  REVGAN_TRY(for_each_chunk(g, [&](const ConvGeometry& part, int64_t start, int index) -> LibraryStatus {
    const Plan* p = nullptr;
    REVGAN_TRY(plan_for<T>(ctx, part, Direction::backward_filter, &p));
    const T alpha = 1, beta = (accumulate || index > 0) ? 1 : 0;
    const std::shared_ptr<void> ws = ctx.scratch(p->backward_filter.workspace);
    REVGAN_TRY_CUDNN(cudnnConvolutionBackwardFilter(
        ctx.cudnn, &alpha, p->x.get(), x + start * x_sample, p->y.get(), dy + start * y_sample, p->conv.get(),
        static_cast<cudnnConvolutionBwdFilterAlgo_t>(p->backward_filter.algo), ws.get(), p->backward_filter.workspace,
        &beta, p->w.get(), dw));
    return {};
  }));
  if (db != nullptr)
    REVGAN_TRY_CUDA(channel_sum<T>(dy, g.batch, g.out_channels, kernels::volume(g.output), db, accumulate, ctx.stream));
  return {};
}

std::size_t conv_cached_plans() {
  PlanCache& cache = plan_cache();
  std::lock_guard lock(cache.mutex);
  return cache.plans.size();
}

#define REVGAN_INSTANTIATE(T)                                                                                        \
  template LibraryStatus conv_forward<T>(const LibraryContext&, const ConvGeometry&, const T*, const T*, const T*,   \
                                         T*);                                                                        \
  template LibraryStatus conv_backward_input<T>(const LibraryContext&, const ConvGeometry&, const T*, const T*, T*,  \
                                                bool);                                                               \
  template LibraryStatus conv_backward_weight<T>(const LibraryContext&, const ConvGeometry&, const T*, const T*, T*, \
                                                 T*, bool);
REVGAN_INSTANTIATE(float)
REVGAN_INSTANTIATE(double)
#undef REVGAN_INSTANTIATE

}  // namespace revgan::kernels::cuda
