// The adaptive team size and the object that applies it to OpenMP at step boundaries.
#include "engine/core/adaptive_threads.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include "engine/core/check.hpp"

namespace revgan {

int adaptive_team_size(double other_cores, int cpus, int most) {
  REVGAN_CHECK(cpus >= 1 && most >= 1, "adaptive threads: need at least one CPU and one thread, got {} and {}",
               cpus, most);
  const double free_cpus = static_cast<double>(cpus) - std::max(0.0, other_cores);
  const auto rounded = static_cast<int>(std::floor(free_cpus + 0.5));
  return std::clamp(rounded, 1, most);
}

AdaptiveThreads::AdaptiveThreads(int most, Sampler sampler)
    : most_(most > 0 ? most : omp_get_max_threads()), team_(most_), sampler_(std::move(sampler)) {
  REVGAN_CHECK(sampler_ != nullptr, "adaptive threads: no CPU usage sampler");
  omp_set_num_threads(team_);
  last_ = sampler_();
}

AdaptiveThreads::~AdaptiveThreads() { omp_set_num_threads(most_); }

int AdaptiveThreads::update() {
  const std::optional<CpuUsageSample> now = sampler_();
  if (!now) return team_;  // no counters: the team stays as it is
  if (!last_) {
    last_ = now;
    return team_;
  }
  if (now->wall_seconds - last_->wall_seconds < k_min_interval_seconds) return team_;
  other_cores_ = other_busy_cores(*last_, *now);
  team_ = adaptive_team_size(other_cores_, now->cpus, most_);
  omp_set_num_threads(team_);
  last_ = now;
  return team_;
}

}  // namespace revgan
