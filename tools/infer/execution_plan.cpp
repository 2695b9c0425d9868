// The budget decision and the tiled run it leads to.
#include "tools/infer/execution_plan.hpp"

#include <fmt/format.h>

#include "engine/core/check.hpp"
#include "engine/memory/available_memory.hpp"
#include "engine/streaming/streamed_run.hpp"
#include "engine/streaming/whole_estimate.hpp"

namespace revgan::infer {

namespace {

// Tiles smaller than this spend more time on halos than on their own pixels.
int64_t smallest_tile(int dims) {
  return dims == 3 ? 16 : 64;
}

streaming::StreamOptions stream_options(int64_t tile, Device device) {
  streaming::StreamOptions o;
  o.tile = {tile, tile, tile};
  o.device = device;
  return o;
}

int64_t budget_of(const TileOptions& options, Device device) {
  return options.max_memory > 0 ? options.max_memory : default_memory_budget(device);
}

}  // namespace

int64_t default_memory_budget(Device device) {
  return available_memory_bytes(device) / 5 * 4;
}

std::string format_bytes(int64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (bytes < 1024) return fmt::format("{} B", bytes);
  if (bytes < (int64_t{1} << 20)) return fmt::format("{:.1f} KiB", b / 1024.0);
  if (bytes < (int64_t{1} << 30)) return fmt::format("{:.1f} MiB", b / (1024.0 * 1024.0));
  return fmt::format("{:.2f} GiB", b / (1024.0 * 1024.0 * 1024.0));
}

std::string ExecutionPlan::describe() const {
  if (!tiled) return fmt::format("whole (about {} of a {} budget)", format_bytes(whole_bytes), format_bytes(budget));
  return fmt::format("exact tiles of {} (about {}; whole would need about {}, budget {})", tile,
                     format_bytes(tiled_bytes), format_bytes(whole_bytes), format_bytes(budget));
}

ExecutionPlan plan_execution(const streaming::Program& program, const streaming::Axes& extent, int64_t outside_bytes,
                             const TileOptions& options, Device device) {
  REVGAN_CHECK(options.tile >= 0 && options.default_tile > 0, "plan_execution: tile {}, default tile {}", options.tile,
               options.default_tile);
  ExecutionPlan plan;
  plan.budget = budget_of(options, device);
  plan.whole_bytes = streaming::estimate_whole_bytes(program, extent) + outside_bytes;
  if (options.tile == 0 && plan.whole_bytes <= plan.budget) return plan;
  plan.tiled = true;
  // Tiled runs keep their activations in host memory and send only tiles to a GPU, so on
  // CUDA their estimate answers to the host's budget.
  const int64_t tiled_budget = device.is_cuda() ? default_memory_budget(Device::cpu()) : plan.budget;
  int64_t tile = options.tile > 0 ? options.tile : options.default_tile;
  for (;;) {
    plan.tile = tile;
    plan.tiled_bytes =
        streaming::estimate_streamed_bytes(program, extent, stream_options(tile, device)) + outside_bytes;
    if (plan.tiled_bytes <= tiled_budget || options.tile > 0 || tile / 2 < smallest_tile(program.dims)) break;
    tile /= 2;
  }
  REVGAN_CHECK(plan.tiled_bytes <= tiled_budget,
               "not enough memory: the input needs about {} in exact tiles of {} (about {} whole), more than the "
               "budget of {} (raise --max_memory or free memory)",
               format_bytes(plan.tiled_bytes), plan.tile, format_bytes(plan.whole_bytes), format_bytes(tiled_budget));
  return plan;
}

bool batch_fits_whole(const streaming::Program& program, const streaming::Axes& extent, int64_t batch,
                      int64_t outside_bytes, const TileOptions& options, Device device) {
  return options.tile == 0 &&
         streaming::estimate_whole_bytes(program, extent, batch) + outside_bytes <= budget_of(options, device);
}

Tensor run_tiled(const streaming::Program& program, const Tensor& padded, const ExecutionPlan& plan, Device device) {
  REVGAN_CHECK(plan.tiled && plan.tile > 0, "run_tiled: the plan is not a tiled one");
  return streaming::run_streamed(program, padded, stream_options(plan.tile, device));
}

}  // namespace revgan::infer
