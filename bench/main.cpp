// bench: performance and memory measurements of revgan-engine. Subcommands:
//   bench conv [--runs N] [--warmup N]   conv kernel throughput at the models' shapes
//   bench kernels [--runs N] [--warmup N] every kernel family against measured GEMM / copy peaks
//   bench train [options]                training-step memory and time (see bench/train_cli.hpp)
//   bench infer [options]                whole-image against exact tiled inference (bench/infer_bench.hpp)
#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/conv_bench.hpp"
#include "bench/infer_bench.hpp"
#include "bench/kernel_bench.hpp"
#include "bench/train_cli.hpp"
#include "engine/core/check.hpp"
#include "engine/core/option_table.hpp"

namespace {

int usage() {
  fmt::print(stderr,
             "usage: bench conv [--runs N] [--warmup N]\n"
             "  conv   forward and backward GFLOP/s of the RevGAN core conv (1x64x32x32, 64->64, 3x3)\n"
             "         and the 7x7 stem at 128x128 (3->32), through the engine's CPU kernels;\n"
             "         threads follow OMP_NUM_THREADS. Prints a table and JSON lines.\n"
             "usage: bench kernels [--runs N] [--warmup N]\n"
             "  kernels  conv, transposed conv, reflection pad and instance norm at the shapes of RevGAN\n"
             "           K=32 at 128x128 (and the K=58 core conv), forward and backward, in GFLOP/s or\n"
             "           GB/s and as a fraction of an sgemm and a memcpy peak measured in the same run.\n");
  revgan::bench::print_train_usage();
  revgan::bench::print_infer_usage();
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) return usage();
    std::string command = argv[1];
    if (command == "train") return revgan::bench::run_train_command(argc - 2, argv + 2);
    if (command == "infer") return revgan::bench::run_infer_command(argc - 1, argv + 1);
    if (command != "conv" && command != "kernels") return usage();
    struct KernelArgs {
      int64_t runs = 20, warmup = 3;
    };
    const revgan::OptionTable<KernelArgs> table({
        {"runs", &KernelArgs::runs, "timed runs per case (the median is reported)", nullptr, "N"},
        {"warmup", &KernelArgs::warmup, "untimed runs first", nullptr, "N"},
    });
    const auto parsed = table.parse(std::vector<std::string>(argv + 2, argv + argc));
    if (parsed.help) return usage();
    const int runs = static_cast<int>(parsed.options.runs), warmup = static_cast<int>(parsed.options.warmup);
    REVGAN_CHECK(runs > 0 && warmup >= 0, "bench: --runs must be positive and --warmup non-negative");
    if (command == "conv")
      revgan::bench::run_conv_bench(revgan::bench::default_conv_cases(), warmup, runs);
    else
      revgan::bench::run_kernel_bench(warmup, runs);
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench: {}\n", e.what());
    return 1;
  }
}
