// The CUDA build path: device allocation through the accounted allocator, host<->device
// copies, and a hand-written kernel (fill). Skipped (exit 77) where no device is usable.
#include <cuda_runtime_api.h>

#include <catch2/catch.hpp>

#include "engine/memory/allocator.hpp"
#include "kernels/cuda/elementwise.cuh"
#include "tests/support/cuda_skip.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;

TEST_CASE("cuda: tensors round-trip through device memory with accounting", "[cuda]") {
  test::skip_without_cuda_device();
  Tensor host = test::random_normal({2, 3, 5, 7}, 1, DType::float32);
  Allocator& a = allocator_for(Device::cuda(0));
  const int64_t before = a.stats().live_bytes;
  Tensor device = host.to(Device::cuda(0));
  REQUIRE(a.stats().live_bytes == before + static_cast<int64_t>(host.nbytes()));
  REQUIRE(device.to(Device::cpu()).to_vector() == host.to_vector());
  device = Tensor();
  REQUIRE(a.stats().live_bytes == before);
}

TEST_CASE("cuda: fill kernel writes every element, including past 2^31", "[cuda]") {
  test::skip_without_cuda_device();
  const int64_t n = (int64_t{1} << 31) + 17;  // 8 GiB of float32: exercises 64-bit indexing
  Tensor t = Tensor::empty({n}, DType::float32, Device::cuda(0));
  REQUIRE(kernels::cuda::fill<float>(n, 2.5f, t.data<float>(), nullptr) == cudaSuccess);
  REQUIRE(cudaDeviceSynchronize() == cudaSuccess);
  float last = 0, first = 0;
  REQUIRE(cudaMemcpy(&last, t.data<float>() + n - 1, sizeof(float), cudaMemcpyDeviceToHost) == cudaSuccess);
  REQUIRE(cudaMemcpy(&first, t.data<float>(), sizeof(float), cudaMemcpyDeviceToHost) == cudaSuccess);
  REQUIRE(first == 2.5f);
  REQUIRE(last == 2.5f);
}
