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
      // SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
      if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC && !frame_ &&
          pos + 5 <= n_)
        frame_ = DeclaredSize{(int64_t{b_[pos + 3]} << 8) | b_[pos + 4], (int64_t{b_[pos + 1]} << 8) | b_[pos + 2]};
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

 public:
  // The first frame header met by run(), if any.
  std::optional<DeclaredSize> frame_;
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
    std::size_t i = 0;
    for (const char* field : {"width", "height", "maximum value"}) {
      skip_whitespace(c);
      long long value = 0;
      while (!eof() && c >= '0' && c <= '9') {
        value = value * 10 + (c - '0');
        if (value > std::numeric_limits<int>::max())
          return fmt::format("corrupt PNM header (the {} does not fit in 32 bits)", field);
        c = get();
      }
      values_[i++] = value;
    }
    return {};
  }
  // After a run() that returned no error.
  DeclaredSize size() const { return {values_[0], values_[1]}; }

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
  long long values_[3] = {};
};

}  // namespace

namespace {
constexpr uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

uint32_t big_endian32(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}
int32_t little_endian32(const uint8_t* b) {
  return static_cast<int32_t>(uint32_t{b[0]} | (uint32_t{b[1]} << 8) | (uint32_t{b[2]} << 16) | (uint32_t{b[3]} << 24));
}
}  // namespace

std::optional<DeclaredSize> declared_size(const uint8_t* bytes, std::size_t size) {
  if (size >= 24 && std::equal(png_signature, png_signature + 8, bytes) && std::equal(bytes + 12, bytes + 16, "IHDR"))
    return DeclaredSize{big_endian32(bytes + 16), big_endian32(bytes + 20)};
  if (JpegWalk::starts_like_jpeg(bytes, size)) {
    JpegWalk walk(bytes, size);
    walk.run();
    return walk.frame_;
  }
  if (size >= 26 && bytes[0] == 'B' && bytes[1] == 'M') {
    // Negative heights mark top-down rows.
    const int64_t w = little_endian32(bytes + 18), h = little_endian32(bytes + 22);
    return DeclaredSize{w < 0 ? -w : w, h < 0 ? -h : h};
  }
  if (size >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '6')) {
    PnmHeader pnm(bytes, size);
    if (pnm.run().empty()) return pnm.size();
  }
  return std::nullopt;
}

std::string decoder_hazard(const uint8_t* bytes, std::size_t size) {
  if (JpegWalk::starts_like_jpeg(bytes, size)) return JpegWalk(bytes, size).run();
  if (size >= 8 && std::equal(png_signature, png_signature + 8, bytes)) return check_png_chunks(bytes, size);
  if (size >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '6')) return PnmHeader(bytes, size).run();
  return {};
}

}  // namespace revgan::data
