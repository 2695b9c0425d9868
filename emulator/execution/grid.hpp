// Runs a whole grid on the calling OS thread, block after block (in a shuffled order when the
// emulator is configured to shuffle), and names the kernel, its launch site and the block in
// any fault.
#pragma once

#include <string>

#include "emulator/execution/kernel_api.hpp"

namespace revgan::emu {

// "" on success, else a description of the fault.
std::string run_grid(const LaunchSite& site, const KernelBody& body);

}  // namespace revgan::emu
