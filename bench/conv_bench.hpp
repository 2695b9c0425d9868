// Convolution throughput at the shapes the models use, forward and backward, in GFLOP/s.
#pragma once

#include <string>
#include <vector>

namespace revgan::bench {

struct ConvCase {
  std::string name;
  int64_t cin, cout, h, w, k, stride, pad;
};

// The shapes issue-tracked comparisons use: the RevGAN core conv and the 7x7 stem.
std::vector<ConvCase> default_conv_cases();
// Prints a table and JSON lines (one per case and pass) to stdout.
void run_conv_bench(const std::vector<ConvCase>& cases, int warmup, int runs);

}  // namespace revgan::bench
