// CPU linear up-sampling (bilinear 2D, trilinear 3D) with align_corners=False. The
// backward gathers, per input element, the weighted output gradients that read it.
#pragma once

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cpu {

template <class T>
void upsample_linear_forward(const UpsampleGeometry& g, const T* x, T* y);

template <class T>
void upsample_linear_backward(const UpsampleGeometry& g, const T* dy, T* dx, bool accumulate);

}  // namespace revgan::kernels::cpu
