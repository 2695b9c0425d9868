// `bench train --device cuda`: one small training step on the GPU measures the same graph as
// on the CPU (same saved storages and bytes), and reports the caching allocator's reservation
// and the driver's used memory consistently with its own peaks, and the cuDNN workspace part of
// the activation peak.
#include <catch2/catch.hpp>

#include "bench/train_bench.hpp"
#include "engine/cuda/cuda_allocator.hpp"
#include "engine/cuda/library_scratch.hpp"
#include "tests/support/cuda_skip.hpp"

using namespace revgan;
using namespace revgan::bench;

TEST_CASE("cuda bench: a training step saves the same storages as on the CPU", "[cuda]") {
  test::skip_without_cuda_device();
  const bool memory_saving = GENERATE(false, true);
  TrainConfig c = make_config("revgan_unpaired", 4, 3, 32);
  c.options.ndf = 8;
  c.options.memory_saving = memory_saving;
  c.warmup = 1;
  c.steps = 1;
  const TrainResult cpu = measure_train(c);
  c.options.device = "cuda:0";
  const TrainResult gpu = measure_train(c);
  CHECK(gpu.saved.activation_bytes == cpu.saved.activation_bytes);
  CHECK(gpu.saved.storages == cpu.saved.storages);
  CHECK(gpu.params_g == cpu.params_g);
  CHECK(gpu.peak_activation_bytes > 0);
  CHECK(gpu.peak_reserved_bytes >= gpu.peak_total_bytes);
  REQUIRE(gpu.driver_used_bytes.has_value());
  // Read after the step: the cache still holds the peak reservation. Without caching
  // (REVGAN_CUDA_NO_CACHING=1, the sanitizer runs) everything is returned by then.
  if (cuda_caching_enabled(0)) CHECK(*gpu.driver_used_bytes >= gpu.peak_reserved_bytes);
  CHECK_FALSE(cpu.driver_used_bytes.has_value());
  // Backward passes take cuDNN workspace (the emulator's deterministic backward-data algorithm
  // needs some, as cuDNN's do); it is charged to activations, so it is part of their peak.
  REQUIRE(gpu.peak_cudnn_workspace_bytes.has_value());
  CHECK(*gpu.peak_cudnn_workspace_bytes > 0);
  CHECK(*gpu.peak_cudnn_workspace_bytes <= gpu.peak_activation_bytes);
  CHECK(cuda::library_scratch_stats().live_bytes == 0);
  CHECK_FALSE(cpu.peak_cudnn_workspace_bytes.has_value());
}
