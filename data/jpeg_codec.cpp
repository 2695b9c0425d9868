// libjpeg-turbo behind data::read_image / write_jpeg. libjpeg reports an error through a
// callback that must not return, so the callback jumps back with longjmp (guarded()): the
// frames it crosses hold no object with a destructor (what longjmp requires in C++), and the
// libjpeg state lives in a session object outside them.
#include "data/jpeg_codec.hpp"

// clang-format off
#include <cstdio>  // jpeglib.h needs FILE and size_t declared before it
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include <csetjmp>
#include <cstdlib>
#include <limits>
#include <memory>
#include <new>

#include "engine/core/check.hpp"

namespace revgan::data {

namespace {

// libjpeg-turbo's TurboJPEG API stops at the same count when asked to limit scans.
constexpr int k_max_scans = 500;

struct ErrorManager {
  jpeg_error_mgr pub;  // first member: libjpeg only sees this part
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void jump_back(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  std::longjmp(err->jump, 1);
}

void on_error(j_common_ptr cinfo) {
  (*cinfo->err->format_message)(cinfo, reinterpret_cast<ErrorManager*>(cinfo->err)->message);
  jump_back(cinfo);
}

// Warnings (level -1) about corrupt data are ignored, as PIL ignores them, except the one that
// means the data ended early: libjpeg would fill the rest with gray, PIL reports the file as
// truncated. Trace messages (level >= 0) are dropped.
void on_message(j_common_ptr cinfo, int level) {
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) on_error(cinfo);
}

void no_output(j_common_ptr) {}

void on_progress(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) return;
  if (reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number <= k_max_scans) return;
  std::snprintf(reinterpret_cast<ErrorManager*>(cinfo->err)->message, JMSG_LENGTH_MAX,
                "the file holds more than %d progressive scans", k_max_scans);
  jump_back(cinfo);
}

// Runs `body` (libjpeg calls on `cinfo`) with errors jumping back here; false after an error,
// with `cinfo` destroyed. Neither this frame nor `body`'s may hold objects with destructors.
template <class Cinfo, class Body>
bool guarded(Cinfo& cinfo, ErrorManager& err, void (*destroy)(Cinfo*), Body&& body) {
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_error;
  err.pub.emit_message = on_message;
  err.pub.output_message = no_output;
  if (setjmp(err.jump) != 0) {
    destroy(&cinfo);
    return false;
  }
  body();
  return true;
}

void destroy_decompress(jpeg_decompress_struct* cinfo) {
  jpeg_destroy_decompress(cinfo);
}
void destroy_compress(jpeg_compress_struct* cinfo) {
  jpeg_destroy_compress(cinfo);
}

struct DecodeSession {
  jpeg_decompress_struct cinfo{};
  ErrorManager err{};
  jpeg_progress_mgr progress{};
  const uint8_t* bytes = nullptr;
  unsigned long size = 0;
  bool header_only = false;
  int64_t max_pixels = 0;
  // Results.
  JpegHeader header;
  bool too_large = false;
  J_COLOR_SPACE out_space = JCS_UNKNOWN;
  int out_components = 0;
  std::vector<uint8_t> pixels;
};

// False when libjpeg failed (err.message says why) or the image is too large (too_large).
bool run_decoder(DecodeSession& s) {
  bool decoded = false;
  const bool ok = guarded(s.cinfo, s.err, destroy_decompress, [&s, &decoded] {
    jpeg_create_decompress(&s.cinfo);
    s.progress.progress_monitor = on_progress;
    s.cinfo.progress = &s.progress;
    jpeg_mem_src(&s.cinfo, s.bytes, s.size);
    jpeg_read_header(&s.cinfo, TRUE);
    s.header.width = s.cinfo.image_width;
    s.header.height = s.cinfo.image_height;
    s.header.components = s.cinfo.num_components;
    const bool known = s.cinfo.num_components == 1 || s.cinfo.num_components == 3 || s.cinfo.num_components == 4;
    s.too_large = !s.header_only && s.header.width * s.header.height > s.max_pixels;
    if (s.header_only || !known || s.too_large) {
      decoded = !s.too_large;
      jpeg_destroy_decompress(&s.cinfo);
      return;
    }
    // As PIL asks: gray stays gray, colour comes as RGB, four channels as (Adobe-inverted) CMYK.
    s.cinfo.out_color_space = s.cinfo.num_components == 1   ? JCS_GRAYSCALE
                              : s.cinfo.num_components == 3 ? JCS_RGB
                                                            : JCS_CMYK;
    jpeg_start_decompress(&s.cinfo);
    s.out_space = s.cinfo.out_color_space;
    s.out_components = s.cinfo.output_components;
    const std::size_t row = std::size_t{s.cinfo.output_width} * static_cast<std::size_t>(s.out_components);
    try {
      s.pixels.resize(row * s.cinfo.output_height);
    } catch (const std::bad_alloc&) {
      jpeg_destroy_decompress(&s.cinfo);
      throw;
    }
    while (s.cinfo.output_scanline < s.cinfo.output_height) {
      JSAMPROW rows[1] = {s.pixels.data() + row * s.cinfo.output_scanline};
      jpeg_read_scanlines(&s.cinfo, rows, 1);
    }
    jpeg_finish_decompress(&s.cinfo);
    jpeg_destroy_decompress(&s.cinfo);
    decoded = true;
  });
  return ok && decoded;
}

std::unique_ptr<DecodeSession> run_or_fail(const uint8_t* bytes, std::size_t size, const std::string& name,
                                           int64_t max_pixels, bool header_only) {
  REVGAN_CHECK(size > 0, "cannot read image {}: the file is empty", name);
  REVGAN_CHECK(size <= std::numeric_limits<unsigned long>::max(), "cannot read image {}: too many bytes", name);
  auto s = std::make_unique<DecodeSession>();
  s->bytes = bytes;
  s->size = static_cast<unsigned long>(size);
  s->max_pixels = max_pixels;
  s->header_only = header_only;
  if (run_decoder(*s)) return s;
  REVGAN_CHECK(!s->too_large, "image {} is too large: {}x{} is more than {} pixels", name, s->header.width,
               s->header.height, max_pixels);
  REVGAN_FAIL("cannot read JPEG {}: {}", name, s->err.message);
}

// PIL's "CMYK;I" unpacking (every byte inverted) followed by its CMYK -> RGB conversion:
// each channel is (255 - k) - round(c' * (255 - k) / 255), with PIL's integer rounding.
uint8_t cmyk_channel(uint8_t stored_c, uint8_t stored_k) {
  const int c = 255 - stored_c, nk = stored_k;  // nk = 255 - k, with k itself inverted
  const int t = c * nk + 128;
  const int v = nk - (((t >> 8) + t) >> 8);
  return static_cast<uint8_t>(v < 0 ? 0 : v);
}

// A growing malloc'ed buffer: libjpeg's own jpeg_mem_dest only publishes its latest buffer
// when compression ends, so after an error the caller could not tell which block to free.
struct Destination {
  jpeg_destination_mgr pub;  // first member: libjpeg only sees this part
  unsigned char* data = nullptr;
  std::size_t capacity = 0;
  std::size_t size = 0;  // bytes written, once compression finished
};

void grow(j_compress_ptr cinfo, std::size_t capacity) {
  auto* d = reinterpret_cast<Destination*>(cinfo->dest);
  auto* bigger = static_cast<unsigned char*>(std::realloc(d->data, capacity));
  if (bigger == nullptr) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
  d->data = bigger;
  d->pub.next_output_byte = bigger + d->capacity;
  d->pub.free_in_buffer = capacity - d->capacity;
  d->capacity = capacity;
}

void destination_start(j_compress_ptr cinfo) {
  grow(cinfo, std::size_t{1} << 16);
}
boolean destination_full(j_compress_ptr cinfo) {
  grow(cinfo, 2 * reinterpret_cast<Destination*>(cinfo->dest)->capacity);
  return TRUE;
}
void destination_end(j_compress_ptr cinfo) {
  auto* d = reinterpret_cast<Destination*>(cinfo->dest);
  d->size = d->capacity - d->pub.free_in_buffer;
}

struct EncodeSession {
  jpeg_compress_struct cinfo{};
  ErrorManager err{};
  Destination dest{};
  const uint8_t* pixels = nullptr;
  int width = 0, height = 0, channels = 0, quality = 0;
  ~EncodeSession() { std::free(dest.data); }
};

bool run_encoder(EncodeSession& s) {
  return guarded(s.cinfo, s.err, destroy_compress, [&s] {
    jpeg_create_compress(&s.cinfo);
    s.dest.pub.init_destination = destination_start;
    s.dest.pub.empty_output_buffer = destination_full;
    s.dest.pub.term_destination = destination_end;
    s.cinfo.dest = &s.dest.pub;
    s.cinfo.image_width = static_cast<JDIMENSION>(s.width);
    s.cinfo.image_height = static_cast<JDIMENSION>(s.height);
    s.cinfo.input_components = s.channels;
    s.cinfo.in_color_space = s.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    // PIL's save: the library defaults (4:2:0 for colour, baseline Huffman tables) at a quality.
    jpeg_set_defaults(&s.cinfo);
    jpeg_set_quality(&s.cinfo, s.quality, TRUE);
    jpeg_start_compress(&s.cinfo, TRUE);
    const std::size_t row = static_cast<std::size_t>(s.width) * static_cast<std::size_t>(s.channels);
    while (s.cinfo.next_scanline < s.cinfo.image_height) {
      JSAMPROW rows[1] = {const_cast<uint8_t*>(s.pixels) + row * s.cinfo.next_scanline};
      jpeg_write_scanlines(&s.cinfo, rows, 1);
    }
    jpeg_finish_compress(&s.cinfo);
    jpeg_destroy_compress(&s.cinfo);
  });
}

}  // namespace

bool is_jpeg(const uint8_t* bytes, std::size_t size) {
  return size >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8;
}

JpegHeader read_jpeg_header(const uint8_t* bytes, std::size_t size, const std::string& name) {
  return run_or_fail(bytes, size, name, 0, true)->header;
}

Image decode_jpeg(const uint8_t* bytes, std::size_t size, const std::string& name, int64_t max_pixels) {
  const std::unique_ptr<DecodeSession> s = run_or_fail(bytes, size, name, max_pixels, false);
  const JpegHeader& h = s->header;
  REVGAN_CHECK(s->out_components > 0, "cannot read JPEG {}: {} colour components (1, 3 or 4 are supported)", name,
               h.components);
  REVGAN_CHECK(h.width > 0 && h.height > 0, "image {} has an empty size {}x{}", name, h.width, h.height);
  const bool cmyk = s->out_space == JCS_CMYK;
  Image img = Image::blank(h.width, h.height, s->out_components == 1 ? 1 : 3);
  const int64_t n = h.width * h.height;
  const uint8_t* px = s->pixels.data();
  float* out = img.samples.data();
  for (int64_t p = 0; p < n; ++p) {
    if (cmyk) {
      const uint8_t* q = px + p * 4;
      for (int c = 0; c < 3; ++c) out[p * 3 + c] = cmyk_channel(q[c], q[3]);
    } else {
      for (int64_t c = 0; c < img.channels; ++c) out[p * img.channels + c] = px[p * img.channels + c];
    }
  }
  return img;
}

std::vector<uint8_t> encode_jpeg(const uint8_t* pixels, int64_t width, int64_t height, int64_t channels, int quality,
                                 const std::string& name) {
  REVGAN_CHECK(channels == 1 || channels == 3, "cannot write {}: {} channels (expected 1 or 3)", name, channels);
  REVGAN_CHECK(quality >= 1 && quality <= 100, "cannot write {}: JPEG quality {} outside 1..100", name, quality);
  REVGAN_CHECK(width > 0 && height > 0 && width <= JPEG_MAX_DIMENSION && height <= JPEG_MAX_DIMENSION,
               "cannot write {}: JPEG sides must lie in 1..{}, got {}x{}", name, JPEG_MAX_DIMENSION, width, height);
  auto s = std::make_unique<EncodeSession>();
  s->pixels = pixels;
  s->width = static_cast<int>(width);
  s->height = static_cast<int>(height);
  s->channels = static_cast<int>(channels);
  s->quality = quality;
  REVGAN_CHECK(run_encoder(*s), "cannot write JPEG {}: {}", name, s->err.message);
  return std::vector<uint8_t>(s->dest.data, s->dest.data + s->dest.size);
}

}  // namespace revgan::data
