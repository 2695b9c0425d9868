// `bench kernels`: the CPU kernels at the shapes RevGAN K=32 uses at 128x128, and the core convs
// of CycleGAN K=32 and RevGAN K=58 (convolutions, transposed convolutions, reflection padding,
// instance norm), forward and backward, as GFLOP/s (convolutions) or GB/s (memory-bound
// kernels), each against a peak measured in the same run: single-precision GEMM (OpenBLAS,
// 2048^3) for GFLOP/s, a 256 MiB memcpy (read + write bytes) for GB/s.
#pragma once

namespace revgan::bench {

// Prints a table and JSON lines ("bench":"kernels") to stdout.
void run_kernel_bench(int warmup, int runs);

}  // namespace revgan::bench
