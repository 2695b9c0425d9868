// CRC-32 (IEEE 802.3, the polynomial zip uses): checked on every stored zip entry we read and
// written into every entry we write.
#pragma once

#include <cstddef>
#include <cstdint>

namespace revgan::io::pth {

// `crc` continues an earlier call (0 to start).
uint32_t crc32(const uint8_t* data, std::size_t size, uint32_t crc = 0);

}  // namespace revgan::io::pth
