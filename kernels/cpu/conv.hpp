// CPU convolution (2D and 3D via ConvGeometry with D == 1 for 2D): im2col / col2im
// plus OpenBLAS GEMM (sgemm for float, dgemm for double), threaded with OpenMP.
// Shapes are checked by the engine before these are called.
#pragma once

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cpu {

// Elements of T the caller must provide as `workspace` for any conv call below.
int64_t conv_workspace_elements(const ConvGeometry& g);

// y[N, Cout, out...] = conv(x[N, Cin, in...], w) + bias (bias may be null).
template <class T>
void conv_forward(const ConvGeometry& g, const T* x, const T* w, const T* bias, T* y, T* workspace);

// dx = J^T dy. Overwrites dx unless `accumulate`.
template <class T>
void conv_backward_input(const ConvGeometry& g, const T* dy, const T* w, T* dx, T* workspace,
                         bool accumulate);

// dw (and db if non-null) from x and dy, summed over the batch. Overwrites unless `accumulate`.
template <class T>
void conv_backward_weight(const ConvGeometry& g, const T* x, const T* dy, T* dw, T* db, T* workspace,
                          bool accumulate);

// db = the sum of dy over batch and space (overwrites): the weight pass's own bias sum, for
// callers whose weight gradient comes from elsewhere or is not needed.
template <class T>
void conv_bias_backward(const ConvGeometry& g, const T* dy, T* db);

}  // namespace revgan::kernels::cpu
