// CPU transposed convolution (2D and 3D): the adjoint of conv, computed as GEMM + col2im
// for the forward pass and im2col + GEMM for the backward passes.
#pragma once

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cpu {

int64_t conv_transpose_workspace_elements(const ConvGeometry& g);

// y[N, Cout, output...] = conv_transpose(x[N, Cin, input...], w[Cin, Cout, k...]) + bias.
template <class T>
void conv_transpose_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y,
                            T* workspace);

// Gradients from dy[N, Cout, output...]: dx (needs w), dw (needs x) and db; any of the three
// outputs may be null. dy is unfolded once per sample for both dx and dw. Overwrites unless
// `accumulate`.
template <class T>
void conv_transpose_backward(const ConvGeometry& g, const T* x, const T* dy, const T* w, T* dx, T* dw, T* db,
                             T* workspace, bool accumulate);

// One gradient at a time (the CUDA twins' shape).
template <class T>
void conv_transpose_backward_input(const ConvGeometry& g, const T* dy, const T* w, T* dx, T* workspace,
                                   bool accumulate) {
  conv_transpose_backward<T>(g, nullptr, dy, w, dx, nullptr, nullptr, workspace, accumulate);
}

template <class T>
void conv_transpose_backward_weight(const ConvGeometry& g, const T* x, const T* dy, T* dw, T* db, T* workspace,
                                    bool accumulate) {
  conv_transpose_backward<T>(g, x, dy, nullptr, nullptr, dw, db, workspace, accumulate);
}

}  // namespace revgan::kernels::cpu
