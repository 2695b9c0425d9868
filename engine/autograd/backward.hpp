// The backward pass over the dynamic graph.
#pragma once

#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan {

// Back-propagates `grads` (undefined: ones, for one-element roots) from `roots`, accumulating
// into the leaves' .grad. Unless retain_graph, every node's saved tensors are released as
// soon as it has run.
void run_backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads, bool retain_graph);

}  // namespace revgan
