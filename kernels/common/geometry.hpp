// Geometry structs shared by the CPU and CUDA kernels: the already-checked shapes an
// op hands to its kernel. Spatial extents are always three (D, H, W); a 2D op uses
// D == 1 with kernel, stride 1 and zero padding along D, so one kernel serves both.
#pragma once

#include <array>
#include <cstdint>

namespace revgan::kernels {

using Extent3 = std::array<int64_t, 3>;  // D, H, W

inline int64_t volume(const Extent3& e) { return e[0] * e[1] * e[2]; }

// Convolution and transposed convolution. For conv, `input` is x's spatial extent and
// `output` is y's. For transposed conv, `input` is still x's (the small one) and
// `output` is y's (the large one). Weight layout follows PyTorch:
//   conv:            [out_channels, in_channels, kD, kH, kW]
//   transposed conv: [in_channels, out_channels, kD, kH, kW]
// Zero padding only; `output_padding` is used by transposed conv alone.
struct ConvGeometry {
  int64_t batch = 1;
  int64_t in_channels = 1;
  int64_t out_channels = 1;
  Extent3 input{1, 1, 1};
  Extent3 output{1, 1, 1};
  Extent3 kernel{1, 1, 1};
  Extent3 stride{1, 1, 1};
  Extent3 padding{0, 0, 0};
  Extent3 output_padding{0, 0, 0};
};

// Reflection / replication padding of `planes` = N*C independent volumes.
// pad_before[i] is added before axis i, output[i] - input[i] - pad_before[i] after.
enum class PadMode { reflect, replicate };
struct PadGeometry {
  int64_t planes = 1;
  Extent3 input{1, 1, 1};
  Extent3 output{1, 1, 1};
  Extent3 pad_before{0, 0, 0};
};

// Instance norm: `instances` = N*C, each normalised over `spatial` = D*H*W elements.
struct NormGeometry {
  int64_t instances = 1;
  int64_t spatial = 1;
};

// Batch norm over x [batch, channels, spatial...]: channel c normalises the batch * spatial
// elements x[(n * channels + c) * spatial + k].
struct BatchNormGeometry {
  int64_t batch = 1;
  int64_t channels = 1;
  int64_t spatial = 1;
};

// Linear up-sampling (bilinear in 2D, trilinear in 3D), PyTorch align_corners=False:
// source coordinate = (dst + 0.5) * in/out - 0.5, clamped below at 0.
struct UpsampleGeometry {
  int64_t planes = 1;
  Extent3 input{1, 1, 1};
  Extent3 output{1, 1, 1};
};

// Channel concat / split of contiguous NC... tensors: `outer` = N, `inner` = D*H*W.
// A tensor with C channels is `outer` blocks of C*inner contiguous elements.
struct ChannelBlock {
  int64_t outer = 1;
  int64_t inner = 1;
};

}  // namespace revgan::kernels
