// A device named for people, for tools' start-up lines: "cpu", or "cuda:0 (<the runtime's device
// name>)", which for the host emulator says that it is one and that its timings are not a GPU's.
#pragma once

#include <string>

#include "engine/core/device.hpp"

namespace revgan {

std::string describe_device(Device device);

}  // namespace revgan
