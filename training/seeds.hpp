// The independent random streams of a run, each derived from options.seed, and the names of
// the parts of a training checkpoint.
#pragma once

#include <cstdint>

#include "data/seed.hpp"

namespace revgan::training {

enum class SeedStream : uint64_t {
  generators = 1,
  discriminator_a = 2,  // judges domain A
  discriminator_b = 3,  // judges domain B
  pool_a = 4,           // pool of fakes of domain A
  pool_b = 5,
  data_order = 6,
};

inline uint64_t network_seed(uint64_t seed, SeedStream stream) {
  return data::derive_seed(seed, 0x7261696eull /* "rain" */, static_cast<uint64_t>(stream));
}

// Checkpoint parts: modules "G", "D_A", "D_B"; optimizers "G", "D".
inline constexpr const char* generator_part = "G";

}  // namespace revgan::training
