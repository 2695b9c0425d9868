// The memory a generator's ordinary forward pass takes on a whole input, estimated from its
// Program without running it: the figure that decides whether an image is translated whole.
#pragma once

#include "engine/streaming/program.hpp"

namespace revgan::streaming {

// Peak bytes the CPU allocator holds while the modules behind `program` run forward under
// NoGradScope on a batch of `batch` inputs of `extent`, the input included. It follows the
// engine's order of evaluation: each op's output and scratch (layer_memory.hpp) next to its
// input; each module call's (step's) input alive until the call returns; a coupling block's
// halves copied out, its two sums and their concatenation; a residual block's x, F(x) and sum.
// Nothing is stored for a backward pass (none is recorded without gradients).
int64_t estimate_whole_bytes(const Program& program, const Axes& extent, int64_t batch = 1);

}  // namespace revgan::streaming
