// Structural checks run on image bytes before stb_image sees them, for malformed inputs that
// the stb version Debian ships (2.27) mishandles with out-of-bounds writes rather than an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace revgan::data {

// Empty when the bytes may go to the decoder, else the reason they must not.
std::string decoder_hazard(const uint8_t* bytes, std::size_t size);

// The width and height a PNG, JPEG, BMP or binary PNM header declares, read without decoding,
// so that an absurd size is reported as too large rather than as whatever the decoder says
// when it gives up (stb: "unknown image type"). Empty when the header cannot be read.
struct DeclaredSize {
  int64_t width = 0, height = 0;
};
std::optional<DeclaredSize> declared_size(const uint8_t* bytes, std::size_t size);

}  // namespace revgan::data
