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

template <class T>
void conv_transpose_backward_input(const ConvGeometry& g, const T* dy, const T* w, T* dx,
                                   T* workspace, bool accumulate);

template <class T>
void conv_transpose_backward_weight(const ConvGeometry& g, const T* x, const T* dy, T* dw, T* db,
                                    T* workspace, bool accumulate);

}  // namespace revgan::kernels::cpu
