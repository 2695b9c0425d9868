// Helpers for the data tests: a self-removing temp folder and small synthetic images.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>

#include <fmt/format.h>
#include <unistd.h>

#include "data/image.hpp"
#include "engine/tensor/random.hpp"

namespace revgan::test {

class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            fmt::format("revgan-data-{}-{}-{}", tag, static_cast<long>(::getpid()), counter++);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Uniform random integer samples in the full range of `bit_depth`.
inline data::Image random_image(int64_t w, int64_t h, int64_t c, uint64_t seed, int bit_depth = 8) {
  data::Image img = data::Image::blank(w, h, c, bit_depth);
  Generator gen(seed);
  const uint64_t levels = bit_depth == 16 ? 65536 : 256;
  for (float& v : img.samples) v = static_cast<float>(gen.below(levels));
  return img;
}

// A smooth image (gradients plus a seeded offset) that survives JPEG with small errors.
inline data::Image smooth_image(int64_t w, int64_t h, int64_t c, uint64_t seed) {
  data::Image img = data::Image::blank(w, h, c);
  Generator gen(seed);
  const double offset = gen.uniform() * 60;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t k = 0; k < c; ++k)
        img.at(y, x, k) = static_cast<float>(static_cast<int64_t>(offset + 150.0 * x / w + 40.0 * y / h + 20.0 * k));
  return img;
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

}  // namespace revgan::test
