// What an autograd graph keeps for its backward: the saved tensors of every node reachable
// from some roots, counted once per storage (views of one buffer count once, as a whole).
#pragma once

#include <cstdint>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan {

struct SavedBytes {
  int64_t activation_bytes = 0;  // unique storages not charged to "parameters"
  int64_t parameter_bytes = 0;   // unique parameter storages (conv weights saved for dx)
  int64_t storages = 0;          // unique storages of both kinds
  int64_t nodes = 0;             // graph nodes visited
};

// Walks the graph from the roots' grad_fns along next_edges, without entering the grad_fns of
// `boundary` tensors (e.g. a block's input, to count what the block alone keeps). Undefined
// roots and released nodes contribute nothing.
SavedBytes saved_for_backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& boundary = {});

}  // namespace revgan
