// Helpers for the emulator's own tests: device buffers straight from (emulated) cudaMalloc, so
// they are fresh and poisoned, copies back to the host, and the error of the last launch.
#pragma once

#include <cuda_runtime_api.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace revgan::test {

template <class T>
class DeviceArray {
 public:
  explicit DeviceArray(std::size_t n) : n_(n) {
    REQUIRE(cudaMalloc(reinterpret_cast<void**>(&p_), n * sizeof(T)) == cudaSuccess);
  }
  DeviceArray(const std::vector<T>& values) : DeviceArray(values.size()) {
    REQUIRE(cudaMemcpy(p_, values.data(), n_ * sizeof(T), cudaMemcpyHostToDevice) == cudaSuccess);
  }
  ~DeviceArray() {
    if (p_ != nullptr) cudaFree(p_);
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  T* get() const { return p_; }
  std::size_t size() const { return n_; }
  std::vector<T> host() const {
    std::vector<T> out(n_);
    REQUIRE(cudaMemcpy(out.data(), p_, n_ * sizeof(T), cudaMemcpyDeviceToHost) == cudaSuccess);
    return out;
  }
  // Frees now and returns cudaFree's status (the redzone check reports there).
  cudaError_t release() {
    const cudaError_t e = cudaFree(p_);
    p_ = nullptr;
    return e;
  }

 private:
  T* p_ = nullptr;
  std::size_t n_ = 0;
};

// Normal(0, 1) values from a fixed seed.
inline std::vector<double> random_values(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> d;
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

// The status of the work queued so far, then the last error (cleared).
inline cudaError_t synchronize_and_take_error() {
  const cudaError_t sync = cudaDeviceSynchronize();
  const cudaError_t last = cudaGetLastError();
  return sync != cudaSuccess ? sync : last;
}

}  // namespace revgan::test
