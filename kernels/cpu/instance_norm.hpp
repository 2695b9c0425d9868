// CPU instance norm without affine parameters (biased variance). The backward needs only
// the normalised output y and 1/std, so the op saves no input.
#pragma once

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cpu {

// y = (x - mean) * invstd per instance; writes invstd[instances] (and mean if non-null).
template <class T>
void instance_norm_forward(const NormGeometry& g, double eps, const T* x, T* y, T* mean, T* invstd);

// dx = invstd * (dy - mean(dy) - y * mean(dy * y)). Overwrites unless `accumulate`.
template <class T>
void instance_norm_backward(const NormGeometry& g, const T* y, const T* invstd, const T* dy, T* dx,
                            bool accumulate);

}  // namespace revgan::kernels::cpu
