// Measures `bench train` configurations: parameter counts and bytes, bytes saved for backward,
// the allocator's peak activation and total bytes during a step, and time per sample.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/autograd/saved_bytes.hpp"
#include "engine/ops/op_profile.hpp"
#include "bench/timing.hpp"
#include "bench/train_config.hpp"

namespace revgan::bench {

struct TrainResult {
  TrainConfig config;
  int64_t params_g = 0;  // generators, both directions
  int64_t params_d = 0;  // both discriminators
  int64_t param_bytes = 0;      // generators and discriminators
  int64_t grad_bytes = 0;       // live .grad buffers after a step
  int64_t optimizer_bytes = 0;  // Adam moments
  int64_t weight_copy_bytes = 0;  // oneDNN's re-laid-out weights (engine/ops/onednn_weight_cache.hpp)
  std::vector<ops::OpTimeRow> op_times;  // with TrainConfig::profile_ops: the timed steps' ops
  SavedBytes saved;             // at the end of the generator forward
  // Max over timed steps of (peak of the activations category during the step) minus its
  // live bytes when the step began (the input batch and anything kept across steps).
  int64_t peak_activation_bytes = 0;
  int64_t peak_total_bytes = 0;  // max over timed steps of all live bytes, every category
  int64_t peak_reserved_bytes = 0;  // caching allocator (CUDA): max bytes held from the driver
  std::optional<int64_t> driver_used_bytes;  // CUDA: total - free after the last step (all processes)
  // CUDA: max over timed steps of the cuDNN workspace bytes live at once (part of the peaks above)
  std::optional<int64_t> peak_cudnn_workspace_bytes;
  std::optional<std::string> cudnn_workspace;  // CUDA: the policy (engine/cuda/cudnn_workspace_policy.hpp)
  Timing seconds_per_sample;     // step time / batch
  int threads = 1;            // OpenMP's team size when the bench began
  double threads_used = 1;    // mean team size over the timed steps (--cpu_threads adaptive varies it)
  double branch_runs_at_once = 0;  // per timed step, run_branches calls that overlapped (engine/autograd/concurrent_branches.hpp)

  // What a device must hold: peak activations + parameters + gradients + optimizer state.
  int64_t footprint_bytes() const {
    return peak_activation_bytes + param_bytes + grad_bytes + optimizer_bytes + weight_copy_bytes;
  }
};

// Builds the models, runs config.warmup steps, then config.steps timed steps (at least one).
TrainResult measure_train(const TrainConfig& config);

// Bytes the reversible core keeps over one training step when every block runs stored: the
// budget above which --memory_budget changes nothing. 0 for models without a reversible core.
int64_t core_bytes_per_step(const TrainConfig& config);

}  // namespace revgan::bench
