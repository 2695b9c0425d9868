// Byte sizes from text (see byte_size.hpp).
#include "engine/core/byte_size.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string_view>

#include "engine/core/check.hpp"

namespace revgan {

namespace {

// The power of 1024 a unit stands for, or -1 for an unknown unit.
int unit_power(std::string_view unit) {
  std::string lower;
  for (char c : unit) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower.empty() || lower == "b") return 0;
  for (std::string_view tail : {"ib", "b"})
    if (lower.size() == 1 + tail.size() && lower.ends_with(tail)) lower.resize(1);
  if (lower.size() != 1) return -1;
  const std::string_view units = "kmgt";
  const std::size_t at = units.find(lower[0]);
  return at == std::string_view::npos ? -1 : static_cast<int>(at) + 1;
}

}  // namespace

int64_t parse_byte_size(const std::string& option, const std::string& text, int64_t minimum) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  double value = 0;
  const auto [number_end, ec] = std::from_chars(begin, end, value, std::chars_format::fixed);
  REVGAN_CHECK(ec == std::errc() && number_end != begin,
               "option {}: expected a size such as 8G, 1.5GiB, 512M or a number of bytes, got '{}'", option, text);
  const std::string_view unit(number_end, static_cast<std::size_t>(end - number_end));
  const int power = unit_power(unit);
  REVGAN_CHECK(power >= 0, "option {}: unknown unit '{}' in '{}' (bytes, or K, M, G, T; KiB, MB, ... alike)",
               option, unit, text);
  const double bytes = std::ldexp(value, 10 * power);
  REVGAN_CHECK(std::isfinite(bytes) && bytes >= static_cast<double>(minimum) && bytes < 9.2e18,
               "option {}: {} is out of range (at least {} bytes)", option, text, minimum);
  return static_cast<int64_t>(bytes);
}

}  // namespace revgan
