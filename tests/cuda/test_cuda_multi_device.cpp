// Copies between two devices: the copy must wait for the source device's queued work (which
// produces the data) and the source device must not reuse the source's memory before the copy
// has read it; no copy may leave a different device current. Needs two devices (the emulator
// provides two); skipped (exit 77) on a machine with fewer.
#include <cuda_runtime_api.h>

#include <catch2/catch.hpp>

#include "engine/cuda/cuda_allocator.hpp"
#include "engine/cuda/cuda_runtime_api.hpp"
#include "engine/cuda/stream.hpp"
#include "engine/ops/arithmetic.hpp"
#include "tests/support/cuda_skip.hpp"

using namespace revgan;

namespace {

void skip_without_two_devices() {
  test::skip_without_cuda_device();
  if (cuda_device_count() >= 2) return;
  std::fprintf(stderr, "SKIPPED: needs two CUDA devices, found %d\n", cuda_device_count());
  std::fflush(stderr);
  std::_Exit(77);
}

bool all_equal(const Tensor& t, double value) {
  for (double v : t.to_vector())
    if (v != value) return false;
  return true;
}

}  // namespace

TEST_CASE("cuda devices: a copy to another device waits for the work that produces its source", "[cuda]") {
  skip_without_two_devices();
  // The fill is queued on device 0's stream; the copy runs on device 1's.
  Tensor a = ops::full({1000}, 3.0, DType::float32, Device::cuda(0));
  Tensor b = a.to(Device::cuda(1));
  CHECK(b.device() == Device::cuda(1));
  CHECK(all_equal(b, 3.0));
}

TEST_CASE("cuda devices: the source device does not reuse a copied buffer before the copy has read it", "[cuda]") {
  skip_without_two_devices();
  if (!cuda_caching_enabled(0)) {
    WARN("REVGAN_CUDA_NO_CACHING is set: no block is reused, so there is no reuse to order");
    return;
  }
  Tensor a = ops::full({1000}, 1.0, DType::float32, Device::cuda(0));
  REQUIRE(all_equal(a, 1.0));
  Tensor b = a.to(Device::cuda(1));
  void* freed = a.raw_data();
  a = Tensor();
  // The caching allocator hands a's block to c, whose fill is queued on device 0 after the copy.
  Tensor c = ops::full({1000}, 2.0, DType::float32, Device::cuda(0));
  CHECK(c.raw_data() == freed);
  CHECK(all_equal(c, 2.0));
  CHECK(all_equal(b, 1.0));
}

TEST_CASE("cuda devices: copies leave the current device as they found it", "[cuda]") {
  skip_without_two_devices();
  const Tensor host = ops::full({64}, 5.0, DType::float64, Device::cpu());
  for (int current : {0, 1}) {
    cuda::set_device(current);
    Tensor on0 = host.to(Device::cuda(0));
    CHECK(cuda::current_device() == current);
    Tensor on1 = on0.to(Device::cuda(1));
    CHECK(cuda::current_device() == current);
    Tensor back = on1.to(Device::cuda(0));
    CHECK(cuda::current_device() == current);
    CHECK(all_equal(back.to(Device::cpu()), 5.0));
    CHECK(cuda::current_device() == current);
  }
  cuda::set_device(0);
}
