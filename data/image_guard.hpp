// Structural checks run on image bytes before stb_image sees them, for malformed inputs that
// the stb version Debian ships (2.27) mishandles with out-of-bounds writes rather than an error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace revgan::data {

// Empty when the bytes may go to the decoder, else the reason they must not.
std::string decoder_hazard(const uint8_t* bytes, std::size_t size);

}  // namespace revgan::data
