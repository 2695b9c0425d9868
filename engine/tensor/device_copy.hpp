// Byte copies between devices (host<->host, host<->CUDA, CUDA<->CUDA).
#pragma once

#include <cstddef>

#include "engine/core/device.hpp"

namespace revgan {

void copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes);

}  // namespace revgan
