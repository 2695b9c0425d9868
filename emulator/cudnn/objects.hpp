// The emulated cuDNN's handle and descriptor objects, its error reporting, and the validated
// form of a convolution that the heuristics and the loops work on.
#pragma once

#include <cstdint>
#include <string>

#include "cudnn.h"

struct cudnnContext {
  int device = 0;
  cudaStream_t stream = nullptr;
};

struct cudnnTensorStruct {
  bool set = false;
  cudnnDataType_t type = CUDNN_DATA_FLOAT;
  int nb_dims = 0;
  int dims[8] = {};
  int strides[8] = {};
};

struct cudnnFilterStruct {
  bool set = false;
  cudnnDataType_t type = CUDNN_DATA_FLOAT;
  cudnnTensorFormat_t format = CUDNN_TENSOR_NCHW;
  int nb_dims = 0;
  int dims[8] = {};
};

struct cudnnConvolutionStruct {
  bool set = false;
  int spatial = 0;
  int pad[6] = {}, stride[6] = {}, dilation[6] = {};
  cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
  cudnnDataType_t compute = CUDNN_DATA_FLOAT;
  cudnnMathType_t math = CUDNN_DEFAULT_MATH;
  int groups = 1;
};

namespace revgan::emu::dnn {

// Records `detail` for cudnnGetErrorString / cudnnGetLastErrorString and returns `status`.
cudnnStatus_t fail(cudnnStatus_t status, std::string detail);

// A convolution whose descriptors agree with each other, in three spatial dimensions (a 2D
// problem has depth 1). Tensor strides are in elements, ordered N, C, D, H, W; the filter is
// packed K, C, D, H, W.
struct Problem {
  bool is_double = false;
  bool flip = false;  // CUDNN_CONVOLUTION: the filter is applied mirrored
  int64_t batch = 0, in_channels = 0, out_channels = 0;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  int64_t pad[3] = {0, 0, 0}, stride[3] = {1, 1, 1}, dilation[3] = {1, 1, 1};
  int64_t x_stride[5] = {}, y_stride[5] = {};
  std::string describe() const;
  std::size_t element_size() const { return is_double ? 8 : 4; }
};

// Checks handle and descriptors as cuDNN would for a convolution between x and y with filter
// w (any direction), and fills `out`.
cudnnStatus_t make_problem(const char* api, cudnnHandle_t handle, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,
                           cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t y, Problem* out);
// The handle exists and belongs to the current device.
cudnnStatus_t check_handle(const char* api, cudnnHandle_t handle);

}  // namespace revgan::emu::dnn
