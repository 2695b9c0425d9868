// Environment settings of the emulator; a malformed value is reported once on stderr and the
// default kept (the runtime API has no error channel at that point).
#include "emulator/runtime/config.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace revgan::emu {

namespace {

bool parse_size(const char* text, std::size_t* out) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text) return false;
  std::size_t scale = 1;
  const std::string suffix(end);
  if (suffix == "K" || suffix == "k")
    scale = std::size_t{1} << 10;
  else if (suffix == "M" || suffix == "m")
    scale = std::size_t{1} << 20;
  else if (suffix == "G" || suffix == "g")
    scale = std::size_t{1} << 30;
  else if (!suffix.empty())
    return false;
  *out = static_cast<std::size_t>(v) * scale;
  return true;
}

Config read_config() {
  Config c;
  if (const char* v = std::getenv("REVGAN_EMU_DEVICES"); v != nullptr && v[0] != '\0') {
    std::size_t n = 0;
    if (parse_size(v, &n) && n <= 64)
      c.devices = static_cast<int>(n);
    else
      fmt::print(stderr, "revgan CUDA emulator: ignoring REVGAN_EMU_DEVICES='{}' (want 0..64)\n", v);
  }
  if (const char* v = std::getenv("REVGAN_EMU_DEVICE_MEMORY"); v != nullptr && v[0] != '\0') {
    std::size_t n = 0;
    if (parse_size(v, &n) && n > 0)
      c.memory_per_device = n;
    else
      fmt::print(stderr, "revgan CUDA emulator: ignoring REVGAN_EMU_DEVICE_MEMORY='{}'\n", v);
  }
  if (const char* v = std::getenv("REVGAN_EMU_SHUFFLE"); v != nullptr && v[0] != '\0') {
    std::size_t n = 0;
    if (parse_size(v, &n))
      c.shuffle_seed = n;
    else
      fmt::print(stderr, "revgan CUDA emulator: ignoring REVGAN_EMU_SHUFFLE='{}' (want a number)\n", v);
  }
  return c;
}

Config& mutable_config() {
  static Config c = read_config();
  return c;
}

}  // namespace

const Config& config() {
  return mutable_config();
}

namespace testing {
void set_shuffle_seed(std::uint64_t seed) {
  mutable_config().shuffle_seed = seed;
}
}  // namespace testing

std::recursive_mutex& state_mutex() {
  static auto* m = new std::recursive_mutex();  // immortal: used by static destructors of callers
  return *m;
}

}  // namespace revgan::emu
