// Whole or exact tiles: the memory budget decides. Whole-input inference (the generator's own
// forward) is used whenever its estimated peak fits the budget; beyond it, exact tiled
// inference (engine/streaming) with the largest tile that fits, from the default tile down.
// On CUDA the budget is the GPU's for whole inputs; tiled runs hold their activations in host
// memory and answer to the host's default budget.
#pragma once

#include <cstdint>
#include <string>

#include "engine/core/device.hpp"
#include "engine/streaming/program.hpp"
#include "tools/infer/tiling.hpp"

namespace revgan::infer {

// 80% of the memory available on `device` now (engine/memory/available_memory.hpp): room for
// what the estimates leave out (the allocator's cache, BLAS buffers, the rest of the process).
int64_t default_memory_budget(Device device);

struct ExecutionPlan {
  bool tiled = false;
  int64_t tile = 0;         // tiled: tile side in input positions
  int64_t whole_bytes = 0;  // estimated peak of whole-input inference
  int64_t tiled_bytes = 0;  // estimated peak of tiled inference with `tile` (0 when not needed)
  int64_t budget = 0;
  std::string describe() const;  // "whole (1.2 GiB of 9.8 GiB)" / "tiled 512 (...)"
};

// For one input. `extent`: the padded input's spatial extent ((D,) H, W as Axes);
// `outside_bytes`: what the caller holds next to the network (its copies of input and output)
// on either path. Fails, naming the figures, when not even the smallest tile fits.
ExecutionPlan plan_execution(const streaming::Program& program, const streaming::Axes& extent, int64_t outside_bytes,
                             const TileOptions& options, Device device);
// Whether `batch` inputs of `extent` run whole in one call within the budget (never when tiles
// are forced).
bool batch_fits_whole(const streaming::Program& program, const streaming::Axes& extent, int64_t batch,
                      int64_t outside_bytes, const TileOptions& options, Device device);

// Runs `program` in the plan's tiles on a padded CPU float32 input (one at a time).
Tensor run_tiled(const streaming::Program& program, const Tensor& padded, const ExecutionPlan& plan, Device device);

// Bytes formatted for people: "512 B", "3.2 MiB", "1.50 GiB".
std::string format_bytes(int64_t bytes);

}  // namespace revgan::infer
