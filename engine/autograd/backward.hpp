// The backward pass over the dynamic graph.
#pragma once

#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan {

// Back-propagates `grads` (undefined: ones, for one-element roots) from `roots`, accumulating
// into the leaves' .grad. Unless retain_graph, every node's saved tensors are released as
// soon as it has run.
void run_backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads, bool retain_graph);

// Like run_backward, but the gradients reaching the leaves in `capture` are returned (one per
// capture, undefined if none arrived) instead of being accumulated into their .grad; every
// other leaf accumulates as usual. Used by the reversible executor to back-propagate through
// a recomputed block: parameters accumulate, the block's input gradient comes back.
std::vector<Tensor> run_backward_capturing(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads,
                                           const std::vector<Tensor>& capture, bool retain_graph = false);

}  // namespace revgan
