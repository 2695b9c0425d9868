// A bounds-checked little-endian reader over bytes that came from an untrusted file: every read
// first checks that the bytes are there, and errors name the file and what was being read.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "engine/core/check.hpp"

namespace revgan::io::pth {

class ByteCursor {
 public:
  // `what` prefixes every error ("'model.pth': data.pkl").
  ByteCursor(const uint8_t* data, std::size_t size, std::string what)
      : data_(data), size_(size), what_(std::move(what)) {}

  std::size_t position() const { return pos_; }
  std::size_t size() const { return size_; }
  std::size_t remaining() const { return size_ - pos_; }
  bool at_end() const { return pos_ == size_; }
  const uint8_t* data() const { return data_; }
  const std::string& what() const { return what_; }

  void seek(std::size_t pos, const char* field) {
    REVGAN_CHECK(pos <= size_, "{}: {} points to byte {}, past the end ({} bytes)", what_, field, pos, size_);
    pos_ = pos;
  }
  // Throws unless `n` more bytes are present.
  void require(uint64_t n, const char* field) const {
    REVGAN_CHECK(n <= remaining(), "{}: truncated: {} needs {} bytes at offset {}, {} remain", what_, field, n, pos_,
                 remaining());
  }
  const uint8_t* take(uint64_t n, const char* field) {
    require(n, field);
    const uint8_t* p = data_ + pos_;
    pos_ += static_cast<std::size_t>(n);
    return p;
  }
  std::string_view take_string(uint64_t n, const char* field) {
    const uint8_t* p = take(n, field);
    return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
  }
  uint8_t u8(const char* field) { return *take(1, field); }
  uint16_t u16(const char* field) { return static_cast<uint16_t>(little_endian(take(2, field), 2)); }
  uint32_t u32(const char* field) { return static_cast<uint32_t>(little_endian(take(4, field), 4)); }
  uint64_t u64(const char* field) { return little_endian(take(8, field), 8); }
  int32_t i32(const char* field) { return static_cast<int32_t>(u32(field)); }
  int64_t i64(const char* field) { return static_cast<int64_t>(u64(field)); }

  static uint64_t little_endian(const uint8_t* p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
    return v;
  }

 private:
  const uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  std::string what_;
};

// a * b and a + b for sizes from files, refusing overflow past int64.
inline int64_t checked_mul(int64_t a, int64_t b, const std::string& what) {
  int64_t r = 0;
  REVGAN_CHECK(!__builtin_mul_overflow(a, b, &r), "{}: size overflow ({} x {})", what, a, b);
  return r;
}
inline int64_t checked_add(int64_t a, int64_t b, const std::string& what) {
  int64_t r = 0;
  REVGAN_CHECK(!__builtin_add_overflow(a, b, &r), "{}: size overflow ({} + {})", what, a, b);
  return r;
}

}  // namespace revgan::io::pth
