// Parsing of device names given on command lines and in configs.
#include "engine/core/device.hpp"

#include <cstdlib>

#include "engine/core/check.hpp"

namespace revgan {

Device parse_device(const std::string& text) {
  if (text == "cpu") return Device::cpu();
  if (text == "cuda") return Device::cuda(0);
  if (text.rfind("cuda:", 0) == 0 && text.size() > 5) {
    char* end = nullptr;
    long index = std::strtol(text.c_str() + 5, &end, 10);
    REVGAN_CHECK(end && *end == '\0' && index >= 0 && index < 1024, "device: cannot parse '{}'", text);
    return Device::cuda(static_cast<int>(index));
  }
  REVGAN_FAIL("device: expected cpu, cuda or cuda:N, got '{}'", text);
}

}  // namespace revgan
