// The CUDA device allocator (CUDA builds only), with the same statistics as the CPU one.
#pragma once

#include "engine/memory/allocator.hpp"

namespace revgan {

Allocator& cuda_allocator(int device_index);

}  // namespace revgan
