// CPU dropout: y = x * scale where the mask keeps element i, else 0. The backward is the same
// kernel applied to dy (the mask is recomputed from its seed).
#pragma once

#include <cstdint>

#include "kernels/common/dropout_mask.hpp"

namespace revgan::kernels::cpu {

// Overwrites y unless `accumulate`.
template <class T>
void dropout_apply(int64_t n, const DropoutMask& mask, const T* x, T* y, bool accumulate);

}  // namespace revgan::kernels::cpu
