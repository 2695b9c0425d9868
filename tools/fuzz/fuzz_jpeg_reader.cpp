// libFuzzer harness for the JPEG path: bytes that start with SOI go through the image reader
// (guards, then libjpeg-turbo), its header probe, and, when they decode, through the JPEG
// writer and back. Anything but a consistent image or a revgan::Error is a finding.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/image.hpp"
#include "data/jpeg_codec.hpp"
#include "engine/core/check.hpp"

namespace {
// Small enough that a hostile header cannot push an allocation past libFuzzer's malloc limit.
constexpr int64_t k_fuzz_max_pixels = int64_t{1} << 22;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (!revgan::data::is_jpeg(data, size)) return -1;  // not a JPEG: keep it out of the corpus
  revgan::data::JpegHeader header;
  bool have_header = false;
  try {
    header = revgan::data::read_jpeg_header(data, size, "<fuzz header>");
    have_header = true;
  } catch (const revgan::Error&) {
  }
  try {
    const revgan::data::Image img = revgan::data::read_image_from_memory(data, size, "<fuzz input>", k_fuzz_max_pixels);
    // A decoded image must be self-consistent and agree with its header.
    if (!have_header || img.width != header.width || img.height != header.height ||
        (img.channels != 1 && img.channels != 3) || img.bit_depth != 8 ||
        img.samples.size() != static_cast<std::size_t>(img.width * img.height * img.channels))
      __builtin_trap();
    std::vector<uint8_t> pixels(img.samples.size());
    for (std::size_t i = 0; i < pixels.size(); ++i) {
      const float v = img.samples[i];
      if (!(v >= 0.0f && v <= 255.0f) || v != static_cast<float>(static_cast<int>(v))) __builtin_trap();
      pixels[i] = static_cast<uint8_t>(v);
    }
    // Whatever decodes must encode, and the encoding must decode to the same size.
    const std::vector<uint8_t> again =
        revgan::data::encode_jpeg(pixels.data(), img.width, img.height, img.channels, 75, "<fuzz output>");
    const revgan::data::Image back = revgan::data::read_image_from_memory(again.data(), again.size(), "<fuzz again>");
    if (back.width != img.width || back.height != img.height || back.channels != img.channels) __builtin_trap();
  } catch (const revgan::Error&) {
    // Expected for malformed input.
  }
  return 0;
}
