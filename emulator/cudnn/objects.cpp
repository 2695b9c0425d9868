// Handles, descriptors, errors and convolution validation of the emulated cuDNN. Unsupported
// settings (NHWC or vectorised filters, half precision, grouped convolutions, a compute type
// other than the data type, tensor-op math, float data in CUDNN_DEFAULT_MATH) are refused with a
// NOT_SUPPORTED status and a message; nothing falls back silently.
#include "emulator/cudnn/objects.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "emulator/runtime/config.hpp"
#include "emulator/runtime/streams.hpp"

namespace revgan::emu::dnn {

namespace {

struct LastStatus {
  cudnnStatus_t status = CUDNN_STATUS_SUCCESS;
  std::string detail;
};
thread_local LastStatus tl_status;

std::set<const void*>& live() {
  static auto* s = new std::set<const void*>();
  return *s;
}

template <class T>
cudnnStatus_t create(T** out) {
  std::lock_guard lock(state_mutex());
  *out = new T();
  live().insert(*out);
  return CUDNN_STATUS_SUCCESS;
}

template <class T>
cudnnStatus_t destroy(T* p, const char* api) {
  std::lock_guard lock(state_mutex());
  if (live().erase(p) == 0) return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("{}: not a live object", api));
  delete p;
  return CUDNN_STATUS_SUCCESS;
}

bool is_live(const void* p) {
  std::lock_guard lock(state_mutex());
  return live().count(p) == 1;
}

const char* type_name(cudnnDataType_t t) {
  return t == CUDNN_DATA_FLOAT ? "float" : t == CUDNN_DATA_DOUBLE ? "double" : "half";
}

}  // namespace

cudnnStatus_t fail(cudnnStatus_t status, std::string detail) {
  tl_status.status = status;
  tl_status.detail = "revgan cuDNN emulator: " + detail;
  return status;
}

std::string Problem::describe() const {
  return fmt::format(
      "{} batch {}, {} -> {} channels, input {}x{}x{}, output {}x{}x{}, kernel {}x{}x{}, pad {}x{}x{}, "
      "stride {}x{}x{}, dilation {}x{}x{}",
      is_double ? "double" : "float", batch, in_channels, out_channels, in[0], in[1], in[2], out[0], out[1], out[2],
      kernel[0], kernel[1], kernel[2], pad[0], pad[1], pad[2], stride[0], stride[1], stride[2], dilation[0],
      dilation[1], dilation[2]);
}

cudnnStatus_t check_handle(const char* api, cudnnHandle_t handle) {
  if (handle == nullptr || !is_live(handle))
    return fail(CUDNN_STATUS_NOT_INITIALIZED, fmt::format("{}: not a live cuDNN handle", api));
  if (handle->device != current_device())
    return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("{}: the handle belongs to device {} but device {} is current", api,
                                                    handle->device, current_device()));
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t make_problem(const char* api, cudnnHandle_t handle, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,
                           cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t y, Problem* out) {
  if (cudnnStatus_t s = check_handle(api, handle); s != CUDNN_STATUS_SUCCESS) return s;
  for (const void* d : {static_cast<const void*>(x), static_cast<const void*>(w), static_cast<const void*>(conv),
                        static_cast<const void*>(y)})
    if (d == nullptr || !is_live(d))
      return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("{}: a descriptor is not live", api));
  if (!x->set || !w->set || !conv->set || !y->set)
    return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("{}: a descriptor was never set", api));
  const int nb = x->nb_dims;
  if (nb != 4 && nb != 5)
    return fail(CUDNN_STATUS_NOT_SUPPORTED, fmt::format("{}: {}-d tensors (only 4-d and 5-d are emulated)", api, nb));
  if (y->nb_dims != nb || w->nb_dims != nb || conv->spatial != nb - 2)
    return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("{}: x has {} dims, y {}, w {}, the convolution {} spatial", api,
                                                    nb, y->nb_dims, w->nb_dims, conv->spatial));
  if (x->type != y->type || x->type != w->type)
    return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("{}: data types x {}, w {}, y {} differ", api, type_name(x->type),
                                                    type_name(w->type), type_name(y->type)));
  if (x->type != CUDNN_DATA_FLOAT && x->type != CUDNN_DATA_DOUBLE)
    return fail(CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE,
                fmt::format("{}: {} data is not emulated", api, type_name(x->type)));
  if (conv->compute != x->type)
    return fail(CUDNN_STATUS_NOT_SUPPORTED, fmt::format("{}: {} data with {} compute type is not emulated", api,
                                                        type_name(x->type), type_name(conv->compute)));
  if (w->format != CUDNN_TENSOR_NCHW)
    return fail(CUDNN_STATUS_NOT_SUPPORTED_LAYOUT, fmt::format("{}: only NCHW filters are emulated", api));
  if (conv->groups != 1)
    return fail(CUDNN_STATUS_NOT_SUPPORTED, fmt::format("{}: group count {} is not emulated", api, conv->groups));
  if (conv->math == CUDNN_TENSOR_OP_MATH || conv->math == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION)
    return fail(CUDNN_STATUS_NOT_SUPPORTED, fmt::format("{}: tensor-op math is not emulated", api));
  if (conv->math == CUDNN_DEFAULT_MATH && x->type == CUDNN_DATA_FLOAT)
    return fail(CUDNN_STATUS_NOT_SUPPORTED,
                fmt::format("{}: float data in CUDNN_DEFAULT_MATH may run on TF32 tensor cores on a GPU, which the "
                            "emulator cannot reproduce; set CUDNN_FMA_MATH",
                            api));
  Problem p;
  p.is_double = x->type == CUDNN_DATA_DOUBLE;
  p.flip = conv->mode == CUDNN_CONVOLUTION;
  p.batch = x->dims[0];
  p.in_channels = x->dims[1];
  p.out_channels = w->dims[0];
  const int first = 5 - nb;  // a 4-d problem leaves depth at 1
  for (int a = 0; a < nb - 2; ++a) {
    p.in[first + a] = x->dims[2 + a];
    p.out[first + a] = y->dims[2 + a];
    p.kernel[first + a] = w->dims[2 + a];
    p.pad[first + a] = conv->pad[a];
    p.stride[first + a] = conv->stride[a];
    p.dilation[first + a] = conv->dilation[a];
  }
  // Element strides N, C, D, H, W; a 4-d tensor's depth stride is never used (depth 1).
  p.x_stride[0] = x->strides[0];
  p.x_stride[1] = x->strides[1];
  p.y_stride[0] = y->strides[0];
  p.y_stride[1] = y->strides[1];
  for (int a = 0; a < nb - 2; ++a) {
    p.x_stride[2 + first + a] = x->strides[2 + a];
    p.y_stride[2 + first + a] = y->strides[2 + a];
  }
  if (w->dims[1] != p.in_channels || y->dims[1] != p.out_channels || y->dims[0] != p.batch)
    return fail(CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH,
                fmt::format("{}: x is {} x {}, w is {} x {}, y is {} x {} (batch x channels)", api, p.batch,
                            p.in_channels, w->dims[0], w->dims[1], y->dims[0], y->dims[1]));
  for (int a = 0; a < 3; ++a) {
    const int64_t span = p.dilation[a] * (p.kernel[a] - 1) + 1;
    const int64_t expected = (p.in[a] + 2 * p.pad[a] - span) / p.stride[a] + 1;
    if (p.in[a] + 2 * p.pad[a] < span || expected != p.out[a])
      return fail(CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH,
                  fmt::format("{}: y's spatial extent {} along axis {} is not the convolution's output {} ({})", api,
                              p.out[a], a, expected, p.describe()));
  }
  *out = p;
  return CUDNN_STATUS_SUCCESS;
}

}  // namespace revgan::emu::dnn

using namespace revgan::emu;
using dnn::fail;

cudnnStatus_t cudnnCreate(cudnnHandle_t* handle) {
  if (config().devices == 0) return fail(CUDNN_STATUS_NOT_INITIALIZED, "cudnnCreate: no emulated device");
  cudnnStatus_t s = dnn::create(handle);
  (*handle)->device = current_device();
  return s;
}

cudnnStatus_t cudnnDestroy(cudnnHandle_t handle) {
  return dnn::destroy(handle, "cudnnDestroy");
}

cudnnStatus_t cudnnSetStream(cudnnHandle_t handle, cudaStream_t stream) {
  if (cudnnStatus_t s = dnn::check_handle("cudnnSetStream", handle); s != CUDNN_STATUS_SUCCESS) return s;
  std::shared_ptr<Stream> resolved;
  if (resolve_stream(stream, &resolved) != cudaSuccess)
    return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetStream: not a live stream");
  handle->stream = stream;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnGetStream(cudnnHandle_t handle, cudaStream_t* stream) {
  if (cudnnStatus_t s = dnn::check_handle("cudnnGetStream", handle); s != CUDNN_STATUS_SUCCESS) return s;
  *stream = handle->stream;
  return CUDNN_STATUS_SUCCESS;
}

const char* cudnnGetErrorString(cudnnStatus_t status) {
  if (status != CUDNN_STATUS_SUCCESS && status == dnn::tl_status.status) return dnn::tl_status.detail.c_str();
  switch (status) {
    case CUDNN_STATUS_SUCCESS:
      return "CUDNN_STATUS_SUCCESS";
    case CUDNN_STATUS_NOT_INITIALIZED:
      return "CUDNN_STATUS_NOT_INITIALIZED";
    case CUDNN_STATUS_BAD_PARAM:
      return "CUDNN_STATUS_BAD_PARAM";
    case CUDNN_STATUS_BAD_PARAM_NULL_POINTER:
      return "CUDNN_STATUS_BAD_PARAM_NULL_POINTER";
    case CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH:
      return "CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH";
    case CUDNN_STATUS_NOT_SUPPORTED:
      return "CUDNN_STATUS_NOT_SUPPORTED";
    case CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE:
      return "CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE";
    case CUDNN_STATUS_NOT_SUPPORTED_LAYOUT:
      return "CUDNN_STATUS_NOT_SUPPORTED_LAYOUT";
    case CUDNN_STATUS_INTERNAL_ERROR:
      return "CUDNN_STATUS_INTERNAL_ERROR";
    case CUDNN_STATUS_EXECUTION_FAILED:
      return "CUDNN_STATUS_EXECUTION_FAILED";
  }
  return "CUDNN_STATUS_UNKNOWN";
}

void cudnnGetLastErrorString(char* message, std::size_t max_size) {
  if (message == nullptr || max_size == 0) return;
  const std::string& d = dnn::tl_status.detail;
  const std::size_t n = std::min(d.size(), max_size - 1);
  std::memcpy(message, d.data(), n);
  message[n] = '\0';
}

cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t* desc) {
  return dnn::create(desc);
}
cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t desc) {
  return dnn::destroy(desc, "cudnnDestroyTensorDescriptor");
}
cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t* desc) {
  return dnn::create(desc);
}
cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t desc) {
  return dnn::destroy(desc, "cudnnDestroyFilterDescriptor");
}
cudnnStatus_t cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t* desc) {
  return dnn::create(desc);
}
cudnnStatus_t cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t desc) {
  return dnn::destroy(desc, "cudnnDestroyConvolutionDescriptor");
}

cudnnStatus_t cudnnSetTensorNdDescriptor(cudnnTensorDescriptor_t desc, cudnnDataType_t type, int nbDims,
                                         const int dimA[], const int strideA[]) {
  if (desc == nullptr || !dnn::is_live(desc))
    return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetTensorNdDescriptor: not a live descriptor");
  if (nbDims < 3 || nbDims > 8 || dimA == nullptr || strideA == nullptr)
    return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("cudnnSetTensorNdDescriptor: {} dims", nbDims));
  for (int i = 0; i < nbDims; ++i)
    if (dimA[i] <= 0 || strideA[i] <= 0)
      return fail(CUDNN_STATUS_BAD_PARAM,
                  fmt::format("cudnnSetTensorNdDescriptor: dim {} is {} with stride {}", i, dimA[i], strideA[i]));
  desc->type = type;
  desc->nb_dims = nbDims;
  std::copy(dimA, dimA + nbDims, desc->dims);
  std::copy(strideA, strideA + nbDims, desc->strides);
  desc->set = true;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetFilterNdDescriptor(cudnnFilterDescriptor_t desc, cudnnDataType_t type, cudnnTensorFormat_t format,
                                         int nbDims, const int filterDimA[]) {
  if (desc == nullptr || !dnn::is_live(desc))
    return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetFilterNdDescriptor: not a live descriptor");
  if (nbDims < 3 || nbDims > 8 || filterDimA == nullptr)
    return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("cudnnSetFilterNdDescriptor: {} dims", nbDims));
  for (int i = 0; i < nbDims; ++i)
    if (filterDimA[i] <= 0)
      return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("cudnnSetFilterNdDescriptor: dim {} is {}", i, filterDimA[i]));
  desc->type = type;
  desc->format = format;
  desc->nb_dims = nbDims;
  std::copy(filterDimA, filterDimA + nbDims, desc->dims);
  desc->set = true;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetConvolutionNdDescriptor(cudnnConvolutionDescriptor_t desc, int arrayLength, const int padA[],
                                              const int filterStrideA[], const int dilationA[],
                                              cudnnConvolutionMode_t mode, cudnnDataType_t computeType) {
  if (desc == nullptr || !dnn::is_live(desc))
    return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionNdDescriptor: not a live descriptor");
  if (arrayLength < 1 || arrayLength > 6 || padA == nullptr || filterStrideA == nullptr || dilationA == nullptr)
    return fail(CUDNN_STATUS_BAD_PARAM, fmt::format("cudnnSetConvolutionNdDescriptor: {} spatial dims", arrayLength));
  if (mode != CUDNN_CONVOLUTION && mode != CUDNN_CROSS_CORRELATION)
    return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionNdDescriptor: unknown mode");
  for (int i = 0; i < arrayLength; ++i)
    if (padA[i] < 0 || filterStrideA[i] <= 0 || dilationA[i] <= 0)
      return fail(CUDNN_STATUS_BAD_PARAM,
                  fmt::format("cudnnSetConvolutionNdDescriptor: axis {}: pad {}, stride {}, dilation {}", i, padA[i],
                              filterStrideA[i], dilationA[i]));
  desc->spatial = arrayLength;
  std::copy(padA, padA + arrayLength, desc->pad);
  std::copy(filterStrideA, filterStrideA + arrayLength, desc->stride);
  std::copy(dilationA, dilationA + arrayLength, desc->dilation);
  desc->mode = mode;
  desc->compute = computeType;
  desc->set = true;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t desc, cudnnMathType_t mathType) {
  if (desc == nullptr || !dnn::is_live(desc))
    return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionMathType: not a live descriptor");
  if (mathType < CUDNN_DEFAULT_MATH || mathType > CUDNN_FMA_MATH)
    return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionMathType: unknown math type");
  desc->math = mathType;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t desc, int groupCount) {
  if (desc == nullptr || !dnn::is_live(desc))
    return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionGroupCount: not a live descriptor");
  if (groupCount < 1) return fail(CUDNN_STATUS_BAD_PARAM, "cudnnSetConvolutionGroupCount: count below 1");
  desc->groups = groupCount;
  return CUDNN_STATUS_SUCCESS;
}

cudnnStatus_t cudnnGetConvolutionNdForwardOutputDim(cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t x,
                                                    cudnnFilterDescriptor_t w, int nbDims, int tensorOuputDimA[]) {
  if (!dnn::is_live(conv) || !dnn::is_live(x) || !dnn::is_live(w) || !conv->set || !x->set || !w->set)
    return fail(CUDNN_STATUS_BAD_PARAM, "cudnnGetConvolutionNdForwardOutputDim: a descriptor is not set");
  if (nbDims != x->nb_dims || w->nb_dims != nbDims || conv->spatial != nbDims - 2)
    return fail(CUDNN_STATUS_BAD_PARAM,
                fmt::format("cudnnGetConvolutionNdForwardOutputDim: {} dims asked, x has {}, w {}, the convolution {} "
                            "spatial",
                            nbDims, x->nb_dims, w->nb_dims, conv->spatial));
  if (w->dims[1] * conv->groups != x->dims[1])
    return fail(CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH,
                fmt::format("cudnnGetConvolutionNdForwardOutputDim: x has {} channels, w {}", x->dims[1], w->dims[1]));
  tensorOuputDimA[0] = x->dims[0];
  tensorOuputDimA[1] = w->dims[0];
  for (int a = 0; a < nbDims - 2; ++a) {
    const int span = conv->dilation[a] * (w->dims[2 + a] - 1) + 1;
    const int padded = x->dims[2 + a] + 2 * conv->pad[a];
    if (padded < span)
      return fail(CUDNN_STATUS_BAD_PARAM,
                  fmt::format("cudnnGetConvolutionNdForwardOutputDim: axis {}: the filter ({} wide with dilation) is "
                              "larger than the padded input ({})",
                              a, span, padded));
    tensorOuputDimA[2 + a] = (padded - span) / conv->stride[a] + 1;
  }
  return CUDNN_STATUS_SUCCESS;
}
