// Wall-clock timing for benchmarks: warm-up runs, then the median and spread of timed runs.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <vector>

namespace revgan::bench {

struct Timing {
  double median_s = 0;
  double min_s = 0;
  double max_s = 0;
  int runs = 0;
};

inline Timing time_runs(const std::function<void()>& body, int warmup, int runs) {
  for (int i = 0; i < warmup; ++i) body();
  std::vector<double> seconds;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    body();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return {seconds[seconds.size() / 2], seconds.front(), seconds.back(), runs};
}

}  // namespace revgan::bench
