// The measurement loop. Peaks are reset at the start of every timed step so each step's own
// high-water mark is seen; gradients and Adam moments exist from the first step on and are
// charged to their own categories, so warm-up steps do not bias the activation figure.
#include "bench/train_bench.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "bench/device_probe.hpp"
#include "bench/train_step.hpp"
#include "engine/memory/allocator.hpp"

namespace revgan::bench {

TrainResult measure_train(const TrainConfig& config) {
  REVGAN_CHECK(config.steps > 0 && config.warmup >= 0, "bench train: --steps must be positive, --warmup >= 0");
  TrainResult r;
  r.config = config;
  r.threads = omp_get_max_threads();
  require_device(config.device);
  TrainSession session(config);
  r.params_g = session.generator_parameters();
  r.params_d = session.discriminator_parameters();
  r.param_bytes = session.parameter_bytes();
  for (int i = 0; i < config.warmup; ++i) session.step();

  Allocator& alloc = allocator_for(config.device);
  std::vector<double> seconds;
  for (int i = 0; i < config.steps; ++i) {
    synchronize_device(config.device);
    alloc.reset_peak();
    const int64_t before = alloc.stats().live(MemoryCategory::activations);
    const auto t0 = std::chrono::steady_clock::now();
    session.step();
    synchronize_device(config.device);
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
                      static_cast<double>(config.batch));
    const MemoryStats s = alloc.stats();
    r.peak_activation_bytes = std::max(r.peak_activation_bytes, s.peak(MemoryCategory::activations) - before);
    r.peak_total_bytes = std::max(r.peak_total_bytes, s.peak_live_bytes);
    r.peak_reserved_bytes = std::max(r.peak_reserved_bytes, s.peak_reserved_bytes);
    r.grad_bytes = s.live(MemoryCategory::gradients);
    r.optimizer_bytes = s.live(MemoryCategory::optimizer_state);
  }
  r.driver_used_bytes = driver_used_bytes(config.device);
  r.saved = session.generator_saved();
  std::sort(seconds.begin(), seconds.end());
  r.seconds_per_sample = {seconds[seconds.size() / 2], seconds.front(), seconds.back(), config.steps};
  return r;
}

}  // namespace revgan::bench
