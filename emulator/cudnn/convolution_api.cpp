// The emulated cuDNN convolution calls: algorithm counts, ranked heuristics, workspace sizes,
// and forward / backward data / backward filter. Execution checks the algorithm, the workspace
// (size and device memory) and that every tensor lies in device memory of the handle's device,
// then queues the direct loops on the handle's stream with alpha and beta read at the call.
#include <fmt/format.h>

#include <memory>

#include "emulator/cudnn/algorithms.hpp"
#include "emulator/cudnn/direct_conv.hpp"
#include "emulator/runtime/device_memory.hpp"
#include "emulator/runtime/streams.hpp"

using namespace revgan::emu;
using dnn::Direction;
using dnn::fail;
using dnn::Problem;

namespace {

const dnn::Algorithm* find_algorithm(const std::vector<dnn::Algorithm>& ranked, int algo) {
  for (const dnn::Algorithm& a : ranked)
    if (a.algo == algo) return &a;
  return nullptr;
}

template <class Perf, class Algo>
cudnnStatus_t heuristics(const char* api, Direction d, cudnnHandle_t handle, cudnnTensorDescriptor_t x,
                         cudnnFilterDescriptor_t w, cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t y,
                         int requested, int* returned, Perf* results) {
  Problem p;
  if (cudnnStatus_t s = dnn::make_problem(api, handle, x, w, conv, y, &p); s != CUDNN_STATUS_SUCCESS) return s;
  if (requested < 1 || returned == nullptr || results == nullptr)
    return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("{}: {} results requested", api, requested));
  const std::vector<dnn::Algorithm> ranked = dnn::ranked_algorithms(d, p);
  *returned = std::min(requested, static_cast<int>(ranked.size()));
  for (int i = 0; i < *returned; ++i) {
    const dnn::Algorithm& a = ranked[static_cast<std::size_t>(i)];
    Perf perf{};
    perf.algo = static_cast<Algo>(a.algo);
    perf.status = a.supported ? CUDNN_STATUS_SUCCESS : CUDNN_STATUS_NOT_SUPPORTED;
    perf.time = -1.0f;  // heuristics, not measurements
    perf.memory = a.workspace;
    perf.determinism = a.deterministic ? CUDNN_DETERMINISTIC : CUDNN_NON_DETERMINISTIC;
    perf.mathType = conv->math;
    results[i] = perf;
  }
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t workspace_size(const char* api, Direction d, cudnnHandle_t handle, cudnnTensorDescriptor_t x,
                             cudnnFilterDescriptor_t w, cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t y,
                             int algo, std::size_t* bytes) {
  Problem p;
  if (cudnnStatus_t s = dnn::make_problem(api, handle, x, w, conv, y, &p); s != CUDNN_STATUS_SUCCESS) return s;
  const std::vector<dnn::Algorithm> ranked = dnn::ranked_algorithms(d, p);
  const dnn::Algorithm* a = find_algorithm(ranked, algo);
  if (a == nullptr) return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("{}: unknown algorithm {}", api, algo));
  if (!a->supported)
    return fail(CUDNN_STATUS_NOT_SUPPORTED,
                fmt::format("{}: algorithm {} is not offered for {}", api, algo, p.describe()));
  if (bytes == nullptr) return fail(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, fmt::format("{}: null size pointer", api));
  *bytes = a->workspace;
  return CUDNN_STATUS_SUCCESS;
}

// Elements spanned by a tensor with these strides (the furthest element plus one).
std::size_t span(const int64_t* stride, int64_t n, int64_t c, const int64_t* spatial) {
  return static_cast<std::size_t>((n - 1) * stride[0] + (c - 1) * stride[1] + (spatial[0] - 1) * stride[2] +
                                  (spatial[1] - 1) * stride[3] + (spatial[2] - 1) * stride[4] + 1);
}

cudnnStatus_t check_memory(const char* api, const cudnnHandle_t handle, const void* p, std::size_t bytes,
                           const char* name) {
  const std::optional<Region> r = find_range(p, bytes);
  if (!r || r->device != handle->device)
    return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("{}: {} [{}, +{} bytes) is not inside one allocation of device {}",
                                                    api, name, p, bytes, handle->device));
  return CUDNN_STATUS_SUCCESS;
}

struct Operands {
  const char* api;
  Direction direction;
  const void* alpha;
  const void* beta;
  int algo;
  void* workspace;
  std::size_t workspace_bytes;
  const void* x;  // forward: x; backward data: (unused); backward filter: x
  const void* w;  // forward: w; backward data: w; backward filter: (unused)
  const void* y;  // backward: dy
  void* out;      // forward: y; backward data: dx; backward filter: dw
};

cudnnStatus_t execute(const Operands& o, cudnnHandle_t handle, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,
                      cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t y) {
  Problem p;
  if (cudnnStatus_t s = dnn::make_problem(o.api, handle, x, w, conv, y, &p); s != CUDNN_STATUS_SUCCESS) return s;
  const std::vector<dnn::Algorithm> ranked = dnn::ranked_algorithms(o.direction, p);
  const dnn::Algorithm* a = find_algorithm(ranked, o.algo);
  if (a == nullptr || !a->supported)
    return fail(CUDNN_STATUS_NOT_SUPPORTED,
                fmt::format("{}: algorithm {} is not offered for {}", o.api, o.algo, p.describe()));
  if (o.workspace_bytes < a->workspace)
    return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("{}: algorithm {} needs {} bytes of workspace, {} given", o.api,
                                                    o.algo, a->workspace, o.workspace_bytes));
  if (a->workspace > 0)
    if (cudnnStatus_t s = check_memory(o.api, handle, o.workspace, a->workspace, "the workspace");
        s != CUDNN_STATUS_SUCCESS)
      return s;
  if (o.alpha == nullptr || o.beta == nullptr)
    return fail(CUDNN_STATUS_BAD_PARAM_NULL_POINTER, fmt::format("{}: alpha or beta is null", o.api));
  const std::size_t elem = p.element_size();
  const std::size_t x_bytes = elem * span(p.x_stride, p.batch, p.in_channels, p.in);
  const std::size_t y_bytes = elem * span(p.y_stride, p.batch, p.out_channels, p.out);
  const std::size_t w_bytes =
      elem * static_cast<std::size_t>(p.out_channels * p.in_channels * p.kernel[0] * p.kernel[1] * p.kernel[2]);
  struct Check {
    const void* ptr;
    std::size_t bytes;
    const char* name;
  };
  std::vector<Check> checks;
  switch (o.direction) {
    case Direction::forward:
      checks = {{o.x, x_bytes, "x"}, {o.w, w_bytes, "w"}, {o.out, y_bytes, "y"}};
      break;
    case Direction::backward_data:
      checks = {{o.w, w_bytes, "w"}, {o.y, y_bytes, "dy"}, {o.out, x_bytes, "dx"}};
      break;
    case Direction::backward_filter:
      checks = {{o.x, x_bytes, "x"}, {o.y, y_bytes, "dy"}, {o.out, w_bytes, "dw"}};
      break;
  }
  for (const Check& c : checks)
    if (cudnnStatus_t s = check_memory(o.api, handle, c.ptr, c.bytes, c.name); s != CUDNN_STATUS_SUCCESS) return s;
  // Scaling factors are host values, double for double data and float otherwise.
  const double alpha = p.is_double ? *static_cast<const double*>(o.alpha) : *static_cast<const float*>(o.alpha);
  const double beta = p.is_double ? *static_cast<const double*>(o.beta) : *static_cast<const float*>(o.beta);
  std::shared_ptr<Stream> stream;
  if (resolve_stream(handle->stream, &stream) != cudaSuccess)
    return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("{}: the handle's stream is not a live stream", o.api));
  const Operands ops = o;
  const Fault f = enqueue(*stream, [p, ops, alpha, beta] {
    auto run = [&](auto tag) {
      using T = decltype(tag);
      switch (ops.direction) {
        case Direction::forward:
          dnn::direct_forward<T>(p, alpha, static_cast<const T*>(ops.x), static_cast<const T*>(ops.w), beta,
                                 static_cast<T*>(ops.out));
          break;
        case Direction::backward_data:
          dnn::direct_backward_data<T>(p, alpha, static_cast<const T*>(ops.w), static_cast<const T*>(ops.y), beta,
                                       static_cast<T*>(ops.out));
          break;
        case Direction::backward_filter:
          dnn::direct_backward_filter<T>(p, alpha, static_cast<const T*>(ops.x), static_cast<const T*>(ops.y), beta,
                                         static_cast<T*>(ops.out));
          break;
      }
    };
    if (p.is_double)
      run(double{});
    else
      run(float{});
    return Fault{};
  });
  if (f.failed()) return fail(CUDNN_STATUS_EXECUTION_FAILED, fmt::format("{}: {}", o.api, f.detail));
  return CUDNN_STATUS_SUCCESS;
}

}  // namespace

cudnnStatus_t cudnnGetConvolutionForwardAlgorithmMaxCount(cudnnHandle_t handle, int* count) {
  if (cudnnStatus_t s = dnn::check_handle("cudnnGetConvolutionForwardAlgorithmMaxCount", handle);
      s != CUDNN_STATUS_SUCCESS)
    return s;
  *count = dnn::algorithm_count(Direction::forward);
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithmMaxCount(cudnnHandle_t handle, int* count) {
  if (cudnnStatus_t s = dnn::check_handle("cudnnGetConvolutionBackwardDataAlgorithmMaxCount", handle);
      s != CUDNN_STATUS_SUCCESS)
    return s;
  *count = dnn::algorithm_count(Direction::backward_data);
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(cudnnHandle_t handle, int* count) {
  if (cudnnStatus_t s = dnn::check_handle("cudnnGetConvolutionBackwardFilterAlgorithmMaxCount", handle);
      s != CUDNN_STATUS_SUCCESS)
    return s;
  *count = dnn::algorithm_count(Direction::backward_filter);
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(cudnnHandle_t handle, cudnnTensorDescriptor_t x,
                                                     cudnnFilterDescriptor_t w, cudnnConvolutionDescriptor_t conv,
                                                     cudnnTensorDescriptor_t y, int requested, int* returned,
                                                     cudnnConvolutionFwdAlgoPerf_t* results) {
  return heuristics<cudnnConvolutionFwdAlgoPerf_t, cudnnConvolutionFwdAlgo_t>("cudnnGetConvolutionForwardAlgorithm_v7",
                                                                              Direction::forward, handle, x, w, conv, y,
                                                                              requested, returned, results);
}

cudnnStatus_t cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnnHandle_t handle, cudnnFilterDescriptor_t w,
                                                          cudnnTensorDescriptor_t dy, cudnnConvolutionDescriptor_t conv,
                                                          cudnnTensorDescriptor_t dx, int requested, int* returned,
                                                          cudnnConvolutionBwdDataAlgoPerf_t* results) {
  return heuristics<cudnnConvolutionBwdDataAlgoPerf_t, cudnnConvolutionBwdDataAlgo_t>(
      "cudnnGetConvolutionBackwardDataAlgorithm_v7", Direction::backward_data, handle, dx, w, conv, dy, requested,
      returned, results);
}

cudnnStatus_t cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnnHandle_t handle, cudnnTensorDescriptor_t x,
                                                            cudnnTensorDescriptor_t dy,
                                                            cudnnConvolutionDescriptor_t conv,
                                                            cudnnFilterDescriptor_t dw, int requested, int* returned,
                                                            cudnnConvolutionBwdFilterAlgoPerf_t* results) {
  return heuristics<cudnnConvolutionBwdFilterAlgoPerf_t, cudnnConvolutionBwdFilterAlgo_t>(
      "cudnnGetConvolutionBackwardFilterAlgorithm_v7", Direction::backward_filter, handle, x, dw, conv, dy, requested,
      returned, results);
}

cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(cudnnHandle_t handle, cudnnTensorDescriptor_t x,
                                                      cudnnFilterDescriptor_t w, cudnnConvolutionDescriptor_t conv,
                                                      cudnnTensorDescriptor_t y, cudnnConvolutionFwdAlgo_t algo,
                                                      std::size_t* bytes) {
  return workspace_size("cudnnGetConvolutionForwardWorkspaceSize", Direction::forward, handle, x, w, conv, y, algo,
                        bytes);
}

cudnnStatus_t cudnnGetConvolutionBackwardDataWorkspaceSize(cudnnHandle_t handle, cudnnFilterDescriptor_t w,
                                                           cudnnTensorDescriptor_t dy,
                                                           cudnnConvolutionDescriptor_t conv,
                                                           cudnnTensorDescriptor_t dx,
                                                           cudnnConvolutionBwdDataAlgo_t algo, std::size_t* bytes) {
  return workspace_size("cudnnGetConvolutionBackwardDataWorkspaceSize", Direction::backward_data, handle, dx, w, conv,
                        dy, algo, bytes);
}

cudnnStatus_t cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnnHandle_t handle, cudnnTensorDescriptor_t x,
                                                             cudnnTensorDescriptor_t dy,
                                                             cudnnConvolutionDescriptor_t conv,
                                                             cudnnFilterDescriptor_t dw,
                                                             cudnnConvolutionBwdFilterAlgo_t algo, std::size_t* bytes) {
  return workspace_size("cudnnGetConvolutionBackwardFilterWorkspaceSize", Direction::backward_filter, handle, x, dw,
                        conv, dy, algo, bytes);
}

cudnnStatus_t cudnnConvolutionForward(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t xDesc,
                                      const void* x, cudnnFilterDescriptor_t wDesc, const void* w,
                                      cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionFwdAlgo_t algo,
                                      void* workSpace, std::size_t workSpaceSizeInBytes, const void* beta,
                                      cudnnTensorDescriptor_t yDesc, void* y) {
  return execute({"cudnnConvolutionForward", Direction::forward, alpha, beta, algo, workSpace, workSpaceSizeInBytes, x,
                  w, nullptr, y},
                 handle, xDesc, wDesc, convDesc, yDesc);
}

cudnnStatus_t cudnnConvolutionBackwardData(cudnnHandle_t handle, const void* alpha, cudnnFilterDescriptor_t wDesc,
                                           const void* w, cudnnTensorDescriptor_t dyDesc, const void* dy,
                                           cudnnConvolutionDescriptor_t convDesc, cudnnConvolutionBwdDataAlgo_t algo,
                                           void* workSpace, std::size_t workSpaceSizeInBytes, const void* beta,
                                           cudnnTensorDescriptor_t dxDesc, void* dx) {
  return execute({"cudnnConvolutionBackwardData", Direction::backward_data, alpha, beta, algo, workSpace,
                  workSpaceSizeInBytes, nullptr, w, dy, dx},
                 handle, dxDesc, wDesc, convDesc, dyDesc);
}

cudnnStatus_t cudnnConvolutionBackwardFilter(cudnnHandle_t handle, const void* alpha, cudnnTensorDescriptor_t xDesc,
                                             const void* x, cudnnTensorDescriptor_t dyDesc, const void* dy,
                                             cudnnConvolutionDescriptor_t convDesc,
                                             cudnnConvolutionBwdFilterAlgo_t algo, void* workSpace,
                                             std::size_t workSpaceSizeInBytes, const void* beta,
                                             cudnnFilterDescriptor_t dwDesc, void* dw) {
  return execute({"cudnnConvolutionBackwardFilter", Direction::backward_filter, alpha, beta, algo, workSpace,
                  workSpaceSizeInBytes, x, nullptr, dy, dw},
                 handle, xDesc, dwDesc, convDesc, dyDesc);
}
