// The column-matrix view of a convolution that the CPU and CUDA im2col / col2im kernels share:
// an image of `channels` volumes unfolded against a kernel into col_rows() rows (ordered
// channel, kd, kh, kw, like a PyTorch weight's trailing dims) and volume(cols) columns; and the
// two ways a convolution geometry maps onto it (conv: x unfolded over y's positions; transposed
// conv: y unfolded over x's positions, being conv's adjoint).
#pragma once

#include <cstdint>

#include "kernels/common/geometry.hpp"

namespace revgan::kernels {

struct ColShape {
  int64_t channels = 1;
  Extent3 image{1, 1, 1};
  Extent3 cols{1, 1, 1};
  Extent3 kernel{1, 1, 1};
  Extent3 stride{1, 1, 1};
  Extent3 padding{0, 0, 0};
  // Elements between channel planes of the image; 0 means volume(image). CPU tiles view a band
  // of a larger image, so their planes are further apart than their own volume.
  int64_t plane_stride = 0;
};

inline int64_t col_rows(const ColShape& s) { return s.channels * volume(s.kernel); }

// A 1x1 kernel with stride 1 and no padding makes the image its own column matrix.
inline bool col_is_identity(const ColShape& s) {
  for (int i = 0; i < 3; ++i)
    if (s.kernel[i] != 1 || s.stride[i] != 1 || s.padding[i] != 0) return false;
  return true;
}

// Conv: x's channels unfolded over y's spatial positions.
inline ColShape conv_cols(const ConvGeometry& g) {
  ColShape s;
  s.channels = g.in_channels;
  s.image = g.input;
  s.cols = g.output;
  s.kernel = g.kernel;
  s.stride = g.stride;
  s.padding = g.padding;
  return s;
}

// Transposed conv: y's channels unfolded over x's spatial positions. output_padding needs no
// special case: the trailing rows it adds are reached by no tap, so col2im leaves them at zero
// (or bias) and im2col never reads them.
inline ColShape transpose_cols(const ConvGeometry& g) {
  ColShape s;
  s.channels = g.out_channels;
  s.image = g.output;
  s.cols = g.input;
  s.kernel = g.kernel;
  s.stride = g.stride;
  s.padding = g.padding;
  return s;
}

}  // namespace revgan::kernels
