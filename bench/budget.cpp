// Budget search. Footprints are affine in the pixel count (size) or the block count (depth)
// to within a few kernel-workspace bytes, so the fitted guess is usually right and only a
// couple of real steps confirm it; the galloping bracket keeps it correct when it is not.
#include "bench/budget.hpp"

#include <cmath>
#include <map>
#include <optional>

#include "bench/train_bench.hpp"

namespace revgan::bench {

int64_t largest_fitting(int64_t lo, int64_t step, int64_t cap, int64_t guess,
                        const std::function<bool(int64_t)>& fits) {
  REVGAN_CHECK(step > 0 && cap >= lo, "largest_fitting: bad range [{}, {}] step {}", lo, cap, step);
  auto snap = [&](int64_t v) { return std::clamp(lo + (v - lo) / step * step, lo, lo + (cap - lo) / step * step); };
  int64_t good = lo - step, bad = -1;  // invariant: fits(good) (or good below lo), !fits(bad)
  int64_t v = snap(guess);
  if (fits(v)) {
    good = v;
    for (int64_t stride = step;; stride *= 2) {
      const int64_t next = snap(good + stride);
      if (next == good) return good;  // reached the cap
      if (!fits(next)) {
        bad = next;
        break;
      }
      good = next;
    }
  } else {
    bad = v;
    for (int64_t stride = step;; stride *= 2) {
      if (bad == lo) return lo - step;
      const int64_t next = snap(bad - stride);
      if (fits(next)) {
        good = next;
        break;
      }
      bad = next;
    }
  }
  while (bad - good > step) {
    const int64_t mid = snap(good + (bad - good) / 2);
    (fits(mid) ? good : bad) = mid;
  }
  return good;
}

BudgetResult search_budget(const TrainConfig& config, int64_t budget_bytes, BudgetAxis axis, int64_t cap) {
  BudgetResult out;
  out.config = config;
  out.axis = axis;
  out.budget_bytes = budget_bytes;
  const bool by_size = axis == BudgetAxis::size;
  const int64_t lo = by_size ? min_size(config) : 1;
  const int64_t step = by_size ? size_step(config) : 1;
  cap = std::max(cap, lo);
  const int dims = is_3d(config) ? 3 : 2;

  std::map<int64_t, int64_t> footprint;  // value -> bytes, each measured once
  auto measure = [&](int64_t v) {
    auto it = footprint.find(v);
    if (it != footprint.end()) return it->second;
    TrainConfig c = config;
    (by_size ? c.size : c.options.depth) = v;
    c.warmup = 1;  // creates gradients and Adam moments, which the footprint includes
    c.steps = 1;
    ++out.probes;
    return footprint[v] = measure_train(c).footprint_bytes();
  };
  auto n_of = [&](int64_t v) { return by_size ? std::pow(static_cast<double>(v), dims) : static_cast<double>(v); };

  // Grow from the smallest value, at most doubling per probe, and once two probes exist go
  // straight to the affine prediction (small sizes sit on a size-independent floor, so the
  // fit is only trusted from the last two probes). The last fitting probe seeds the search.
  auto snap = [&](double v) { return lo + static_cast<int64_t>(std::floor((v - static_cast<double>(lo)) / step)) * step; };
  auto fits = [&](int64_t v) { return measure(v) <= budget_bytes; };
  int64_t good = lo;
  if (fits(lo)) {
    std::optional<int64_t> prev;
    while (good < cap) {
      double target = 2.0 * static_cast<double>(good);
      if (prev) {
        const double f0 = static_cast<double>(measure(*prev)), f1 = static_cast<double>(measure(good));
        const double slope = (f1 - f0) / (n_of(good) - n_of(*prev));
        if (slope > 0) {
          const double n = n_of(good) + (static_cast<double>(budget_bytes) - f1) / slope;
          target = std::min(target, by_size ? std::pow(n, 1.0 / dims) : n);
        }
      }
      const int64_t next = snap(std::min(static_cast<double>(cap), target));
      if (next <= good || !fits(next)) break;
      prev = good;
      good = next;
    }
  }
  const int64_t best = largest_fitting(lo, step, cap, good, fits);
  out.best = best >= lo ? best : 0;
  if (out.best > 0) {
    out.footprint_bytes = measure(out.best);
    out.capped = out.best + step > cap;
    (by_size ? out.config.size : out.config.options.depth) = out.best;
  }
  return out;
}

}  // namespace revgan::bench
