// Found by tools/fuzz/fuzz_image_reader.
// JPEG: stb 2.27 builds a Huffman table from a DHT segment without checking that its 16 code
// counts sum to at most 256 (fixed upstream in 2.28), overrunning the table. The walk below
// visits every place stb could read a DHT marker and rejects such a table first. It is a
// superset of stb's own marker walk (it never stops where stb would go on), so nothing
// stb decodes slips past it, while well-formed files never trip it.
// PNG: stb grows its IDAT buffer to the length a chunk declares before reading it, so a
// few bytes can make it allocate 2 GiB; a chunk cannot be longer than the bytes left.
// PNM: stb accumulates the header's decimal numbers in an int without an overflow check
// (undefined behaviour); the header is re-read here the way stb reads it.
#include "data/image_guard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace revgan::data {

namespace {

constexpr uint8_t k_dht = 0xC4, k_eoi = 0xD9;

// Markers without a length field; 0x00 is byte stuffing inside entropy-coded data.
bool standalone_marker(uint8_t m) { return m == 0x00 || m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7); }

class JpegWalk {
 public:
  JpegWalk(const uint8_t* bytes, std::size_t size) : b_(bytes), n_(size) {}

  // stb accepts fill bytes (0xFF) before SOI as before any marker.
  static bool starts_like_jpeg(const uint8_t* b, std::size_t n) {
    std::size_t i = 0;
    while (i < n && b[i] == 0xFF) ++i;
    return i > 0 && i < n && b[i] == 0xD8;
  }

  std::string run() {
    std::size_t pos = 0;
    while (b_[pos] == 0xFF) ++pos;
    ++pos;  // past SOI
    while (pos < n_) {
      // stb skips junk before a marker, and entropy-coded data up to the next real marker.
      if (b_[pos] != 0xFF) {
        ++pos;
        continue;
      }
      while (pos < n_ && b_[pos] == 0xFF) ++pos;
      if (pos >= n_) break;
      const uint8_t marker = b_[pos++];
      if (marker == k_eoi) break;
      if (standalone_marker(marker)) continue;
      if (pos + 2 > n_) break;
      const std::size_t length = (std::size_t{b_[pos]} << 8) | b_[pos + 1];
      pos += 2;
      if (length < 2) break;  // stb stops with an error here
      if (marker == k_dht) {
        if (auto why = check_dht(pos, length - 2); !why.empty()) return why;
      }
      pos += length - 2;
    }
    return {};
  }

 private:
  // Past the end stb reads zeros, which cannot make a table too large.
  uint8_t at(std::size_t i) const { return i < n_ ? b_[i] : 0; }

  // Mirrors stb's loop, which reads each table whole even when it runs past the segment.
  std::string check_dht(std::size_t pos, std::size_t remaining) const {
    long left = static_cast<long>(remaining);
    while (left > 0 && pos < n_) {
      int codes = 0;
      for (std::size_t i = 1; i <= 16; ++i) codes += at(pos + i);
      if (codes > 256) return fmt::format("corrupt JPEG (a Huffman table declares {} codes, at most 256)", codes);
      pos += 17 + static_cast<std::size_t>(codes);
      left -= 17 + codes;
    }
    return {};
  }

  const uint8_t* b_;
  std::size_t n_;
};

// The chunk sequence as stb walks it: length, type, data, CRC, up to IEND.
std::string check_png_chunks(const uint8_t* b, std::size_t n) {
  std::size_t pos = 8;  // after the signature
  while (pos + 8 <= n) {
    const uint32_t length = (uint32_t{b[pos]} << 24) | (uint32_t{b[pos + 1]} << 16) | (uint32_t{b[pos + 2]} << 8) |
                            b[pos + 3];
    const std::string type(reinterpret_cast<const char*>(b + pos + 4), 4);
    pos += 8;
    if (length > n - pos)
      return fmt::format("corrupt PNG (a chunk declares {} bytes where {} remain)", length, n - pos);
    if (type == "IEND") break;
    pos += length + 4;
  }
  return {};
}

// stb_image's PNM header reader, step for step, except that it refuses numbers past INT_MAX.
class PnmHeader {
 public:
  PnmHeader(const uint8_t* bytes, std::size_t size) : b_(bytes), n_(size) {}

  std::string run() {
    pos_ = 2;  // after "P5" / "P6"
    char c = get();
    for (const char* field : {"width", "height", "maximum value"}) {
      skip_whitespace(c);
      long long value = 0;
      while (!eof() && c >= '0' && c <= '9') {
        value = value * 10 + (c - '0');
        if (value > std::numeric_limits<int>::max())
          return fmt::format("corrupt PNM header (the {} does not fit in 32 bits)", field);
        c = get();
      }
    }
    return {};
  }

 private:
  bool eof() const { return pos_ >= n_; }
  char get() { return eof() ? '\0' : static_cast<char>(b_[pos_++]); }
  static bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }
  void skip_whitespace(char& c) {
    for (;;) {
      while (!eof() && space(c)) c = get();
      if (eof() || c != '#') break;
      while (!eof() && c != '\n' && c != '\r') c = get();
    }
  }

  const uint8_t* b_;
  std::size_t n_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string decoder_hazard(const uint8_t* bytes, std::size_t size) {
  static constexpr uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (JpegWalk::starts_like_jpeg(bytes, size)) return JpegWalk(bytes, size).run();
  if (size >= 8 && std::equal(png_signature, png_signature + 8, bytes)) return check_png_chunks(bytes, size);
  if (size >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '6')) return PnmHeader(bytes, size).run();
  return {};
}

}  // namespace revgan::data
