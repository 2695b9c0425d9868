// Image file I/O: JPEG through libjpeg-turbo (data/jpeg_codec), the other formats through
// stb_image / stb_image_write, plus a small 16-bit PNG encoder because stb_image_write only
// writes 8-bit PNGs. The size guards run on the bytes before either decoder sees them.
#include "data/image.hpp"

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>

#include "data/image_guard.hpp"
#include "data/jpeg_codec.hpp"
#include "engine/core/check.hpp"

// Defined by stb_image_write's implementation (data/stb_impl.cpp) but not declared in its header.
extern "C" unsigned char* stbi_zlib_compress(unsigned char* data, int data_len, int* out_len, int quality);

namespace revgan::data {

namespace {

const char* stb_reason() {
  const char* reason = stbi_failure_reason();
  return reason != nullptr ? reason : "unknown reason";
}

void check_readable(const std::filesystem::path& path) {
  std::error_code ec;
  REVGAN_CHECK(std::filesystem::exists(path, ec), "image file {} does not exist", path.string());
  REVGAN_CHECK(std::filesystem::is_regular_file(path, ec), "image path {} is not a regular file", path.string());
}

std::vector<uint8_t> read_file_bytes(const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  REVGAN_CHECK(f != nullptr, "cannot open image {}: {}", path.string(), std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, f.get())) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
  REVGAN_CHECK(std::ferror(f.get()) == 0, "cannot read image {}: {}", path.string(), std::strerror(errno));
  return bytes;
}

// Alpha is dropped: the models translate colour, and pix2pix converts every image to RGB.
int64_t kept_channels(int stored) { return stored >= 3 ? 3 : 1; }

template <class T>
Image unpack(const T* pixels, int w, int h, int stored, int bit_depth) {
  Image img = Image::blank(w, h, kept_channels(stored), bit_depth);
  const int64_t n = static_cast<int64_t>(w) * h;
  for (int64_t p = 0; p < n; ++p)
    for (int64_t c = 0; c < img.channels; ++c)
      img.samples[static_cast<std::size_t>(p * img.channels + c)] = static_cast<float>(pixels[p * stored + c]);
  return img;
}

struct StbFree {
  void operator()(void* p) const { stbi_image_free(p); }
};

void check_writable(const Image& image, const std::filesystem::path& path) {
  REVGAN_CHECK(image.channels == 1 || image.channels == 3, "cannot write {}: {} channels (expected 1 or 3)",
               path.string(), image.channels);
  REVGAN_CHECK(image.width > 0 && image.height > 0, "cannot write {}: empty image", path.string());
  REVGAN_CHECK(image.samples.size() == static_cast<std::size_t>(image.width * image.height * image.channels),
               "cannot write {}: sample buffer does not match {}x{}x{}", path.string(), image.width, image.height,
               image.channels);
  const auto parent = path.parent_path();
  std::error_code ec;
  REVGAN_CHECK(parent.empty() || std::filesystem::is_directory(parent, ec), "cannot write {}: folder {} does not exist",
               path.string(), parent.string());
}

std::vector<uint8_t> to_bytes(const Image& image) {
  const float scale = 255.0f / image.max_value();
  std::vector<uint8_t> bytes(image.samples.size());
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<uint8_t>(std::lround(std::clamp(image.samples[i] * scale, 0.0f, 255.0f)));
  return bytes;
}

uint32_t crc32(const uint8_t* data, std::size_t n, uint32_t crc = 0) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (std::size_t i = 0; i < n; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<uint8_t>(v >> s));
}

void put_chunk(std::vector<uint8_t>& out, const char* type, const uint8_t* data, std::size_t n) {
  put_u32(out, static_cast<uint32_t>(n));
  const std::size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data, data + n);
  put_u32(out, crc32(out.data() + start, n + 4));
}

void write_file_bytes(const std::vector<uint8_t>& bytes, const std::filesystem::path& path) {
  std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
  REVGAN_CHECK(f != nullptr, "cannot open {} for writing: {}", path.string(), std::strerror(errno));
  const std::size_t written = std::fwrite(bytes.data(), 1, bytes.size(), f.get());
  const int closed = std::fclose(f.release());
  REVGAN_CHECK(written == bytes.size() && closed == 0, "cannot write {}: {}", path.string(), std::strerror(errno));
}

// Filter type 0 on every row: simple, and 16-bit PNGs are only written by tests and tools.
void write_png16(const Image& image, const std::filesystem::path& path) {
  const int64_t row_bytes = image.width * image.channels * 2;
  std::vector<uint8_t> raw(static_cast<std::size_t>((row_bytes + 1) * image.height));
  std::size_t k = 0;
  for (int64_t y = 0; y < image.height; ++y) {
    raw[k++] = 0;
    for (int64_t i = 0; i < image.width * image.channels; ++i) {
      const float v = image.samples[static_cast<std::size_t>(y * image.width * image.channels + i)];
      const auto s = static_cast<uint16_t>(std::lround(std::clamp(v, 0.0f, 65535.0f)));
      raw[k++] = static_cast<uint8_t>(s >> 8);
      raw[k++] = static_cast<uint8_t>(s & 0xFF);
    }
  }
  int zlen = 0;
  std::unique_ptr<uint8_t, decltype(&std::free)> z(
      stbi_zlib_compress(raw.data(), static_cast<int>(raw.size()), &zlen, 8), &std::free);
  REVGAN_CHECK(z != nullptr, "cannot write {}: compression failed", path.string());

  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<uint8_t> ihdr;
  put_u32(ihdr, static_cast<uint32_t>(image.width));
  put_u32(ihdr, static_cast<uint32_t>(image.height));
  ihdr.push_back(16);                               // bit depth
  ihdr.push_back(image.channels == 3 ? 2 : 0);      // colour type: RGB or gray
  ihdr.insert(ihdr.end(), {0, 0, 0});               // deflate, adaptive filtering, no interlace
  put_chunk(png, "IHDR", ihdr.data(), ihdr.size());
  put_chunk(png, "IDAT", z.get(), static_cast<std::size_t>(zlen));
  put_chunk(png, "IEND", nullptr, 0);

  write_file_bytes(png, path);
}

}  // namespace

Image Image::blank(int64_t width, int64_t height, int64_t channels, int bit_depth, float fill) {
  REVGAN_CHECK(width >= 0 && height >= 0 && channels > 0, "Image::blank: bad size {}x{}x{}", width, height, channels);
  REVGAN_CHECK(bit_depth == 8 || bit_depth == 16, "Image::blank: bit depth {} (expected 8 or 16)", bit_depth);
  Image img;
  img.width = width;
  img.height = height;
  img.channels = channels;
  img.bit_depth = bit_depth;
  img.samples.assign(static_cast<std::size_t>(width * height * channels), fill);
  return img;
}

namespace {

struct Header {
  int width = 0, height = 0, stored_channels = 0;
  bool sixteen_bit = false;
};

// Everything short of decoding, so the guards and the size limit apply before stb allocates.
Header read_header(const uint8_t* bytes, std::size_t size, const std::string& name, int64_t max_pixels) {
  REVGAN_CHECK(size > 0, "cannot read image {}: the file is empty", name);
  REVGAN_CHECK(size <= static_cast<std::size_t>(std::numeric_limits<int>::max()),
               "cannot read image {}: {} bytes is more than the decoder accepts", name, size);
  // Before stbi_info too: stb parses JPEG Huffman tables while reading the header.
  if (const std::string hazard = decoder_hazard(bytes, size); !hazard.empty())
    REVGAN_FAIL("cannot read image {}: {}", name, hazard);
  // The declared size first: stb refuses very large images with a misleading reason.
  // Divided, not multiplied: two 32-bit sides overflow a 64-bit product (found by fuzzing).
  if (const std::optional<DeclaredSize> declared = declared_size(bytes, size))
    REVGAN_CHECK(declared->height <= 0 || declared->width <= max_pixels / declared->height,
                 "image {} is too large: its header declares {}x{}, more than the {} pixels allowed", name,
                 declared->width, declared->height, max_pixels);
  Header h;
  if (is_jpeg(bytes, size)) {
    const JpegHeader j = read_jpeg_header(bytes, size, name);
    h.width = static_cast<int>(std::min<int64_t>(j.width, std::numeric_limits<int>::max()));
    h.height = static_cast<int>(std::min<int64_t>(j.height, std::numeric_limits<int>::max()));
    h.stored_channels = j.components;
  } else {
    const int len = static_cast<int>(size);
    REVGAN_CHECK(stbi_info_from_memory(bytes, len, &h.width, &h.height, &h.stored_channels) != 0,
               "cannot read image {}: {}", name, stb_reason());
    h.sixteen_bit = stbi_is_16_bit_from_memory(bytes, len) != 0;
  }
  REVGAN_CHECK(h.width > 0 && h.height > 0, "image {} has an empty size {}x{}", name, h.width, h.height);
  REVGAN_CHECK(static_cast<int64_t>(h.width) * h.height <= max_pixels,
               "image {} is too large: {}x{} is more than {} pixels", name, h.width, h.height, max_pixels);
  return h;
}

}  // namespace

ImageInfo probe_image(const std::filesystem::path& path) {
  check_readable(path);
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  const Header h = read_header(bytes.data(), bytes.size(), path.string(), k_max_image_pixels);
  return {h.width, h.height, kept_channels(h.stored_channels), h.sixteen_bit ? 16 : 8};
}

Image read_image_from_memory(const uint8_t* bytes, std::size_t size, const std::string& name, int64_t max_pixels) {
  const Header header = read_header(bytes, size, name, max_pixels);
  if (is_jpeg(bytes, size)) return decode_jpeg(bytes, size, name, max_pixels);
  const int len = static_cast<int>(size);
  int w = 0, h = 0, stored = 0;
  if (header.sixteen_bit) {
    std::unique_ptr<stbi_us, StbFree> px(stbi_load_16_from_memory(bytes, len, &w, &h, &stored, 0));
    REVGAN_CHECK(px != nullptr, "cannot read image {}: {}", name, stb_reason());
    return unpack(px.get(), w, h, stored, 16);
  }
  std::unique_ptr<stbi_uc, StbFree> px(stbi_load_from_memory(bytes, len, &w, &h, &stored, 0));
  REVGAN_CHECK(px != nullptr, "cannot read image {}: {}", name, stb_reason());
  return unpack(px.get(), w, h, stored, 8);
}

Image read_image(const std::filesystem::path& path) {
  check_readable(path);
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return read_image_from_memory(bytes.data(), bytes.size(), path.string());
}

void write_png(const Image& image, const std::filesystem::path& path) {
  check_writable(image, path);
  if (image.bit_depth == 16) return write_png16(image, path);
  const auto bytes = to_bytes(image);
  const int w = static_cast<int>(image.width), c = static_cast<int>(image.channels);
  REVGAN_CHECK(stbi_write_png(path.c_str(), w, static_cast<int>(image.height), c, bytes.data(), w * c) != 0,
               "cannot write PNG {}: {}", path.string(), std::strerror(errno));
}

void write_jpeg(const Image& image, const std::filesystem::path& path, int quality) {
  check_writable(image, path);
  const auto pixels = to_bytes(image);
  write_file_bytes(encode_jpeg(pixels.data(), image.width, image.height, image.channels, quality, path.string()), path);
}

}  // namespace revgan::data
