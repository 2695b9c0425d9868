// JPEG reading and writing through libjpeg-turbo, the library behind PIL, torchvision and
// OpenCV. Decoding uses libjpeg's defaults (accurate integer IDCT, fancy up-sampling), as PIL
// does, so pixels are bit-identical to PIL's Image.open(f).convert("RGB" or "L")
// (tests/data/jpeg_golden holds PIL's decodings). Encoding uses libjpeg's defaults at the given
// quality, as PIL's save does, so a JPEG written here equals the one PIL would write.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/image.hpp"

namespace revgan::data {

// The SOI marker: libjpeg accepts nothing else as the start of a file.
bool is_jpeg(const uint8_t* bytes, std::size_t size);

struct JpegHeader {
  int64_t width = 0, height = 0;
  int components = 0;  // as stored: 1 (gray), 3 (YCbCr / RGB), 4 (CMYK / YCCK)
};
// The frame header as libjpeg reads it, without decoding. `name` stands for the source in errors.
JpegHeader read_jpeg_header(const uint8_t* bytes, std::size_t size, const std::string& name);

// Gray files give 1 channel; colour files 3 (CMYK converted as PIL's convert("RGB") does).
// Images above `max_pixels` are refused before libjpeg allocates anything for the pixels, and
// so are truncated files (PIL refuses them too) and progressive files of more than 500 scans
// (a few hundred bytes could otherwise keep the decoder busy for minutes).
Image decode_jpeg(const uint8_t* bytes, std::size_t size, const std::string& name, int64_t max_pixels);

// Row-major 8-bit pixels, 1 (gray) or 3 (RGB) channels interleaved, to the bytes of a JPEG file.
std::vector<uint8_t> encode_jpeg(const uint8_t* pixels, int64_t width, int64_t height, int64_t channels, int quality,
                                 const std::string& name);

}  // namespace revgan::data
