// The one header through which kernels/cuda/*.cu compile as host C++ under REVGAN_CUDA=EMULATE,
// standing in for the toolkit's cuda_runtime.h: the runtime API, the execution-space keywords,
// the built-in index variables, __shared__, __syncthreads, full-mask __shfl_down_sync on float
// and double, warpSize, the device math functions (the host's <math.h>) and the launch binding
// behind REVGAN_LAUNCH (kernels/cuda/loops.cuh). Threads of a block run as fibers of the
// emulator (emulator/execution/), so barriers and shuffles have their CUDA meaning.
#pragma once

#include <math.h>

#include <cmath>
#include <cstdint>

#include "cuda_runtime_api.h"
#include "emulator/execution/kernel_api.hpp"

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
// One copy per OS thread; the emulator runs one block at a time per OS thread, so this is one
// copy per running block, shared by its threads.
#define __shared__ static thread_local

#define __syncthreads() ::revgan::emu::sync_threads(__FILE__, __LINE__)
#define __shfl_down_sync(...) ::revgan::emu::shfl_down_sync(__FILE__, __LINE__, __VA_ARGS__)

inline constexpr int warpSize = 32;

// The built-in variables; the emulator sets them for the thread that runs.
inline thread_local uint3 threadIdx{0, 0, 0};
inline thread_local uint3 blockIdx{0, 0, 0};
inline thread_local dim3 blockDim{1, 1, 1};
inline thread_local dim3 gridDim{1, 1, 1};
