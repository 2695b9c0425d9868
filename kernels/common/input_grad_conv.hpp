// The input gradient of a stride-1 convolution as a convolution: dx is the forward conv of dy
// with the weights' channel axes swapped and their taps flipped (all spatial axes at once,
// which reverses the flattened tap index), padded by kernel - 1 - padding ("full" correlation).
// Kernels use it where that form is the cheaper one (kernels/cpu/conv.cpp, for fewer output
// than input channels; kernels/cpu/onednn/onednn_conv.cpp, where oneDNN's forward kernels are
// fast and its backward-data kernel is not).
#pragma once

#include <cstdint>

#include "kernels/common/geometry.hpp"

namespace revgan::kernels {

// Stride 1 and padding at most kernel - 1 on every axis.
inline bool input_grad_is_conv(const ConvGeometry& g) {
  for (int i = 0; i < 3; ++i)
    if (g.stride[i] != 1 || g.padding[i] > g.kernel[i] - 1) return false;
  return true;
}

// The conv whose forward of dy is g's dx: dy's channels in, x's out, padding kernel - 1 - padding.
inline ConvGeometry input_grad_conv_geometry(const ConvGeometry& g) {
  ConvGeometry a = g;
  a.in_channels = g.out_channels;
  a.out_channels = g.in_channels;
  a.input = g.output;
  a.output = g.input;
  for (int i = 0; i < 3; ++i) a.padding[i] = g.kernel[i] - 1 - g.padding[i];
  return a;
}

// Elements of the flipped weights [in_channels, out_channels, k...].
inline int64_t flipped_weight_elements(const ConvGeometry& g) {
  return g.out_channels * g.in_channels * volume(g.kernel);
}

// flipped[c, o, taps - 1 - t] = w[o, c, t]: the weights of input_grad_conv_geometry(g).
template <class T>
void flip_conv_weights(const ConvGeometry& g, const T* w, T* flipped) {
  const int64_t taps = volume(g.kernel);
  for (int64_t o = 0; o < g.out_channels; ++o)
    for (int64_t c = 0; c < g.in_channels; ++c)
      for (int64_t t = 0; t < taps; ++t)
        flipped[(c * g.out_channels + o) * taps + (taps - 1 - t)] = w[(o * g.in_channels + c) * taps + t];
}

}  // namespace revgan::kernels
