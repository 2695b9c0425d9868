// --max-memory: the largest image (volume) side or depth whose training step fits a byte
// budget, per executor mode. On the CPU the footprint checked is measured peak activation
// bytes + parameter, gradient, Adam and weight-copy bytes (TrainResult::footprint_bytes).
#pragma once

#include <cstdint>
#include <functional>

#include "bench/train_config.hpp"

namespace revgan::bench {

enum class BudgetAxis { size, depth };

struct BudgetResult {
  TrainConfig config;  // with the best size or depth filled in (0: even the smallest fails)
  BudgetAxis axis = BudgetAxis::size;
  int64_t budget_bytes = 0;
  int64_t best = 0;             // largest fitting side or depth; 0 if none
  int64_t footprint_bytes = 0;  // at `best`
  bool capped = false;          // `best` is the search cap, larger values were not tried
  int probes = 0;               // training steps measured
};

// Largest v in {lo, lo + step, ...} (v <= cap) with fits(v), given fits is monotone (true then
// false). Starts from `guess` and gallops to a bracket, then bisects. Returns lo - step if
// fits(lo) is false. Exposed for tests.
int64_t largest_fitting(int64_t lo, int64_t step, int64_t cap, int64_t guess, const std::function<bool(int64_t)>& fits);

// Probes grow from the smallest value (at most doubling), steered by an affine fit
// footprint = a + b * n (n = pixels or voxels for size, depth for depth) through the last two;
// largest_fitting then settles the boundary. Every probe is a real measured step.
BudgetResult search_budget(const TrainConfig& config, int64_t budget_bytes, BudgetAxis axis, int64_t cap);

}  // namespace revgan::bench
