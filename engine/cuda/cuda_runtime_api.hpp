// Thin, checked wrappers over the CUDA runtime used by the engine (CUDA builds only).
// A missing or unusable driver counts as "no device", never as an error at start-up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/core/device.hpp"

namespace revgan {

// Number of usable CUDA devices; 0 when the runtime reports any error (e.g. no driver).
int cuda_device_count();
// Why cuda_device_count() is 0 (the runtime's message), or "" when devices exist.
std::string cuda_unavailable_reason();
// The device's name as the runtime reports it (the emulator's name says that it is one).
std::string cuda_device_name(int index);
// Device memory in use as the driver reports it (total - free, all processes), in bytes.
int64_t cuda_driver_used_bytes(int index);
// Device memory the driver reports free, in bytes.
int64_t cuda_free_bytes(int index);
// Blocks until the work queued on the device's compute stream has finished.
void cuda_synchronize(int index);
// Copies on the compute streams of the devices involved (see cuda_runtime_api.cpp for the
// ordering); returns once a copy to the host has landed. Leaves the current device unchanged.
void cuda_copy_bytes(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes);

}  // namespace revgan
