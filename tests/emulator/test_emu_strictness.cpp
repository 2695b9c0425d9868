// Where CUDA leaves behaviour undefined, the emulator stops with a message: barriers not reached
// by every thread (divergent, after an early exit, at different sites), full-mask shuffles in a
// partial warp or with a lane gone, unsupported launch shapes, and pointers that are not device
// memory of the current device. Fresh device memory reads as NaN.
#include <cmath>
#include <cstring>

#include "kernels/cuda/loops.cuh"
#include "tests/emulator/emu_test_util.hpp"

using namespace revgan;
using test::DeviceArray;

namespace {

namespace detail = kernels::cuda::detail;

__global__ void divergent_barrier_kernel(float* out) {
  if (threadIdx.x < 100) __syncthreads();
  out[threadIdx.x] = 1.0f;
}

__global__ void barrier_after_exit_kernel(float* out) {
  if (threadIdx.x == 0) return;
  __syncthreads();
  out[threadIdx.x] = 1.0f;
}

__global__ void two_barriers_kernel(float* out) {
  if (threadIdx.x % 2 == 0) {
    __syncthreads();
  } else {
    __syncthreads();
  }
  out[threadIdx.x] = 1.0f;
}

__global__ void block_sum_kernel(double* out) {
  const double s = detail::block_sum(1.0);
  if (threadIdx.x == 0) out[blockIdx.x] = s;
}

__global__ void shuffle_after_exit_kernel(double* out) {
  if (threadIdx.x == 5) return;
  out[threadIdx.x] = __shfl_down_sync(0xffffffffu, static_cast<double>(threadIdx.x), 1);
}

__global__ void partial_mask_kernel(float* out) {
  out[threadIdx.x] = __shfl_down_sync(0x0000ffffu, 1.0f, 1);
}

__global__ void shuffle_values_kernel(float* out) {
  out[threadIdx.x] = __shfl_down_sync(0xffffffffu, static_cast<float>(threadIdx.x), 3);
}

__global__ void write_kernel(float* out) {
  out[threadIdx.x] = 2.0f;
}

std::string last_message(cudaError_t e) {
  return cudaGetErrorString(e);
}

}  // namespace

TEST_CASE("emulator: a __syncthreads that not every thread reaches is a launch failure", "[emulator]") {
  DeviceArray<float> out(256);
  SECTION("divergent") {
    REVGAN_LAUNCH(1, 256, 0, nullptr, divergent_barrier_kernel)(out.get());
    const cudaError_t e = test::synchronize_and_take_error();
    CHECK(e == cudaErrorLaunchFailure);
    CHECK_THAT(last_message(e), Catch::Contains("__syncthreads") && Catch::Contains("divergent_barrier_kernel"));
  }
  SECTION("after another thread exited") {
    REVGAN_LAUNCH(1, 64, 0, nullptr, barrier_after_exit_kernel)(out.get());
    const cudaError_t e = test::synchronize_and_take_error();
    CHECK(e == cudaErrorLaunchFailure);
    // Which side is seen first depends on the thread order (REVGAN_EMU_SHUFFLE); both say "exited".
    CHECK_THAT(last_message(e), Catch::Contains("__syncthreads") && Catch::Contains("exited"));
  }
  SECTION("two different barriers") {
    REVGAN_LAUNCH(1, 64, 0, nullptr, two_barriers_kernel)(out.get());
    const cudaError_t e = test::synchronize_and_take_error();
    CHECK(e == cudaErrorLaunchFailure);
    CHECK_THAT(last_message(e), Catch::Contains("a different one"));
  }
  // The emulator stays usable: a correct kernel runs afterwards.
  REVGAN_LAUNCH(1, 256, 0, nullptr, write_kernel)(out.get());
  REQUIRE(test::synchronize_and_take_error() == cudaSuccess);
  CHECK(out.host()[255] == 2.0f);
}

TEST_CASE("emulator: full-mask shuffles need all 32 lanes of a full warp", "[emulator]") {
  SECTION("a block of 48 threads has a partial warp") {
    DeviceArray<double> out(1);
    REVGAN_LAUNCH(1, 48, 0, nullptr, block_sum_kernel)(out.get());
    const cudaError_t e = test::synchronize_and_take_error();
    CHECK(e == cudaErrorLaunchFailure);
    CHECK_THAT(last_message(e), Catch::Contains("warp 1, which has only 16 thread(s)"));
  }
  SECTION("a lane that exited") {
    DeviceArray<double> out(32);
    REVGAN_LAUNCH(1, 32, 0, nullptr, shuffle_after_exit_kernel)(out.get());
    const cudaError_t e = test::synchronize_and_take_error();
    CHECK(e == cudaErrorLaunchFailure);
    CHECK_THAT(last_message(e), Catch::Contains("__shfl_down_sync"));
  }
  SECTION("a partial mask is not emulated") {
    DeviceArray<float> out(32);
    REVGAN_LAUNCH(1, 32, 0, nullptr, partial_mask_kernel)(out.get());
    const cudaError_t e = test::synchronize_and_take_error();
    CHECK(e == cudaErrorLaunchFailure);
    CHECK_THAT(last_message(e), Catch::Contains("only full-mask shuffles"));
  }
  SECTION("lanes past the end of the warp keep their own value") {
    DeviceArray<float> out(64);
    REVGAN_LAUNCH(1, 64, 0, nullptr, shuffle_values_kernel)(out.get());
    REQUIRE(test::synchronize_and_take_error() == cudaSuccess);
    const std::vector<float> v = out.host();
    for (unsigned t = 0; t < 64; ++t) CHECK(v[t] == static_cast<float>(t % 32 + 3 < 32 ? t + 3 : t));
  }
}

TEST_CASE("emulator: launches it cannot run faithfully fail at the launch", "[emulator]") {
  DeviceArray<float> out(1024);
  REVGAN_LAUNCH(1, dim3(16, 2), 0, nullptr, write_kernel)(out.get());
  CHECK(cudaGetLastError() == cudaErrorNotSupported);
  REVGAN_LAUNCH(1, 1025, 0, nullptr, write_kernel)(out.get());
  CHECK(cudaGetLastError() == cudaErrorInvalidConfiguration);
  REVGAN_LAUNCH(1, 32, 64, nullptr, write_kernel)(out.get());
  CHECK(cudaGetLastError() == cudaErrorNotSupported);
  std::vector<float> host(32);
  REVGAN_LAUNCH(1, 32, 0, nullptr, write_kernel)(host.data());
  const cudaError_t e = cudaGetLastError();
  CHECK(e == cudaErrorInvalidValue);
  CHECK_THAT(last_message(e), Catch::Contains("not device memory"));
  CHECK(host[0] == 0.0f);  // nothing ran
}

TEST_CASE("emulator: kernels may only touch memory of the current device", "[emulator]") {
  int devices = 0;
  REQUIRE(cudaGetDeviceCount(&devices) == cudaSuccess);
  REQUIRE(devices >= 2);
  REQUIRE(cudaSetDevice(1) == cudaSuccess);
  float* other = nullptr;
  REQUIRE(cudaMalloc(reinterpret_cast<void**>(&other), 32 * sizeof(float)) == cudaSuccess);
  REQUIRE(cudaSetDevice(0) == cudaSuccess);
  REVGAN_LAUNCH(1, 32, 0, nullptr, write_kernel)(other);
  const cudaError_t e = cudaGetLastError();
  CHECK(e == cudaErrorInvalidValue);
  CHECK_THAT(last_message(e), Catch::Contains("memory of device 1"));
  CHECK(cudaFree(other) == cudaSuccess);
}

TEST_CASE("emulator: fresh device memory reads as NaN in float and double", "[emulator]") {
  DeviceArray<float> f(17);
  DeviceArray<double> d(17);
  for (float v : f.host()) CHECK(std::isnan(v));
  for (double v : d.host()) CHECK(std::isnan(v));
}
