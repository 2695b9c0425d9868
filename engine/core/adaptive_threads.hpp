// Adaptive CPU thread counts: before each training step, OpenMP's team size is set to the CPUs
// that other processes left free over the last interval (at most the count it started with, at
// least one). A team larger than the free CPUs shares cores with the other work: its threads are
// preempted in turn, and every parallel region waits at its closing barrier for the thread the
// OS took away, so the step slows far more than the lost share of CPU time. A smaller team keeps
// its cores. The cost: oneDNN's results depend on the team size, so a run whose team changes is
// not bitwise reproducible (the im2col kernels' results never depend on it).
#pragma once

#include <functional>
#include <optional>

#include "engine/core/cpu_usage.hpp"

namespace revgan {

// The team for `other_cores` of `cpus` kept busy by others: the free CPUs rounded to the
// nearest whole one, clamped to [1, most].
int adaptive_team_size(double other_cores, int cpus, int most);

class AdaptiveThreads {
 public:
  using Sampler = std::function<std::optional<CpuUsageSample>()>;
  // Decisions need at least this much time since the last one (ticks of /proc/stat are 10 ms).
  static constexpr double k_min_interval_seconds = 0.2;

  // `most`: the largest team (OpenMP's count now when 0). Leaves the team as it is until the
  // first update() that comes k_min_interval_seconds after this.
  explicit AdaptiveThreads(int most = 0, Sampler sampler = sample_cpu_usage);
  // Restores OpenMP's team size to `most`.
  ~AdaptiveThreads();
  AdaptiveThreads(const AdaptiveThreads&) = delete;
  AdaptiveThreads& operator=(const AdaptiveThreads&) = delete;

  // At a step boundary, on the thread that runs the steps: sets OpenMP's team size for the
  // parallel regions that follow from the load since the last decision; returns the size in force.
  int update();
  int team() const { return team_; }
  int most() const { return most_; }
  // Cores other work kept busy in the last decided interval (-1 before the first decision),
  // and the CPUs of the last sample, which after a decision are those it was out of (0 without
  // a sample).
  double other_cores() const { return other_cores_; }
  int cpus() const { return last_ ? last_->cpus : 0; }

 private:
  int most_;
  int team_;
  double other_cores_ = -1;
  Sampler sampler_;
  std::optional<CpuUsageSample> last_;
};

}  // namespace revgan
