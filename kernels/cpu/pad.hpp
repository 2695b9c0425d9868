// CPU reflection and replication padding, 2D and 3D. The backward is a gather: each
// input element sums the output elements that were copied from it (no scatter).
#pragma once

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cpu {

template <class T>
void pad_forward(const PadGeometry& g, PadMode mode, const T* x, T* y);

// dx[planes, input...] from dy[planes, output...]. Overwrites unless `accumulate`.
template <class T>
void pad_backward(const PadGeometry& g, PadMode mode, const T* dy, T* dx, bool accumulate);

}  // namespace revgan::kernels::cpu
