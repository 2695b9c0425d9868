// Derived seeds: independent streams keyed by (seed, a, b), e.g. (seed, epoch, sample index),
// so every consumer gets the same numbers regardless of evaluation order or thread.
#pragma once

#include <cstdint>

namespace revgan::data {

// splitmix64's finaliser: a bijection that spreads every input bit over the output.
constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr uint64_t derive_seed(uint64_t seed, uint64_t a, uint64_t b = 0) {
  uint64_t h = mix64(seed + 0x9E3779B97F4A7C15ull);
  h = mix64(h ^ (a + 0x632BE59BD9B4E019ull));
  return mix64(h ^ (b + 0x85157AF5F0A3B1C9ull));
}

}  // namespace revgan::data
