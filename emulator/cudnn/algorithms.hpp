// The algorithms the emulated cuDNN offers per direction, in the order its heuristics rank
// them, with each one's determinism and workspace. Every offered algorithm computes with the
// same direct loops; what differs is what a caller must handle: the first ranked backward
// algorithms are non-deterministic (as cuDNN's ALGO_0 are), workspaces differ, and the rest of
// each enum is reported NOT_SUPPORTED.
#pragma once

#include <cstddef>
#include <vector>

#include "emulator/cudnn/objects.hpp"

namespace revgan::emu::dnn {

enum class Direction { forward, backward_data, backward_filter };

struct Algorithm {
  int algo = 0;
  bool supported = false;
  bool deterministic = true;
  std::size_t workspace = 0;
};

// All algorithms of the direction's enum, best ranked first.
std::vector<Algorithm> ranked_algorithms(Direction d, const Problem& p);
int algorithm_count(Direction d);

}  // namespace revgan::emu::dnn
