// What `bench train` needs from the device it measures on: a check that the device can be
// used (with the reason when not), a barrier before reading the clock, and on CUDA the memory
// the driver reports as used and the peak of cuDNN's workspaces. CPU builds and CPU runs need
// none of the CUDA runtime.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/core/device.hpp"

namespace revgan::bench {

// Throws with the reason (no CUDA backend in this build, no driver, no such device).
void require_device(Device device);
// Waits for queued work on `device` (a no-op on the CPU).
void synchronize_device(Device device);
// Device memory in use as the driver reports it; empty on the CPU.
std::optional<int64_t> driver_used_bytes(Device device);
// Restarts the peak of cuDNN workspace bytes (engine/cuda/library_scratch.hpp); a no-op on the CPU.
void reset_cudnn_workspace_peak(Device device);
// The most bytes of cuDNN workspace live at once since the last reset; empty on the CPU.
std::optional<int64_t> cudnn_workspace_peak_bytes(Device device);
// The cuDNN workspace policy in force ("fastest" or "lean"); empty on the CPU.
std::optional<std::string> cudnn_workspace_policy(Device device);

}  // namespace revgan::bench
