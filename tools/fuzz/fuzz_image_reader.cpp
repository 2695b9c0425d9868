// libFuzzer harness for the image reader: arbitrary bytes go through the same decoder path as
// files on disk, and anything but a decoded image or a revgan::Error is a finding.
#include <cstddef>
#include <cstdint>

#include "data/image.hpp"
#include "engine/core/check.hpp"

namespace {
// Small enough that a hostile header cannot push an allocation past libFuzzer's malloc limit.
constexpr int64_t k_fuzz_max_pixels = int64_t{1} << 22;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  try {
    const revgan::data::Image img = revgan::data::read_image_from_memory(data, size, "<fuzz input>", k_fuzz_max_pixels);
    // A decoded image must be self-consistent; a violation here is a reader bug.
    if (img.width <= 0 || img.height <= 0 || (img.channels != 1 && img.channels != 3) ||
        img.samples.size() != static_cast<std::size_t>(img.width * img.height * img.channels))
      __builtin_trap();
    for (float v : img.samples)
      if (!(v >= 0.0f && v <= img.max_value())) __builtin_trap();
  } catch (const revgan::Error&) {
    // Expected for malformed input.
  }
  return 0;
}
