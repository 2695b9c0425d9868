// The emulated runtime: devices and their properties, memory information, copies and fills in
// every direction with their checks, and the late-running streams: queued work runs when
// something waits for it, events order one stream after another, and the legacy stream waits
// for the blocking streams.
#include <cstring>

#include "kernels/cuda/loops.cuh"
#include "tests/emulator/emu_test_util.hpp"

using namespace revgan;
using test::DeviceArray;

namespace {

__global__ void add_one_kernel(float* x, int64_t n) {
  for (int64_t i = kernels::cuda::detail::first_index(); i < n; i += kernels::cuda::detail::grid_stride()) x[i] += 1.0f;
}

class Stream {
 public:
  explicit Stream(unsigned flags = cudaStreamDefault) { REQUIRE(cudaStreamCreateWithFlags(&s_, flags) == cudaSuccess); }
  ~Stream() { cudaStreamDestroy(s_); }
  cudaStream_t get() const { return s_; }

 private:
  cudaStream_t s_ = nullptr;
};

class Event {
 public:
  Event() { REQUIRE(cudaEventCreate(&e_) == cudaSuccess); }
  ~Event() { cudaEventDestroy(e_); }
  cudaEvent_t get() const { return e_; }

 private:
  cudaEvent_t e_ = nullptr;
};

}  // namespace

TEST_CASE("emulated runtime: devices, properties and memory information", "[emulator]") {
  int count = 0;
  REQUIRE(cudaGetDeviceCount(&count) == cudaSuccess);
  CHECK(count == 2);  // the default of REVGAN_EMU_DEVICES
  cudaDeviceProp prop{};
  REQUIRE(cudaGetDeviceProperties(&prop, 1) == cudaSuccess);
  CHECK_THAT(std::string(prop.name), Catch::Contains("emulator"));
  CHECK(prop.warpSize == 32);
  CHECK(prop.maxThreadsPerBlock == 1024);
  CHECK(cudaGetDeviceProperties(&prop, 2) == cudaErrorInvalidDevice);
  CHECK(cudaSetDevice(2) == cudaErrorInvalidDevice);
  CHECK(cudaGetLastError() == cudaErrorInvalidDevice);
  CHECK(cudaGetLastError() == cudaSuccess);  // reading the last error clears it

  REQUIRE(cudaSetDevice(1) == cudaSuccess);
  int current = -1;
  REQUIRE(cudaGetDevice(&current) == cudaSuccess);
  CHECK(current == 1);
  std::size_t free_before = 0, total = 0, free_after = 0;
  REQUIRE(cudaMemGetInfo(&free_before, &total) == cudaSuccess);
  {
    DeviceArray<char> block(std::size_t{3} << 20);
    REQUIRE(cudaMemGetInfo(&free_after, &total) == cudaSuccess);
    CHECK(free_before - free_after == std::size_t{3} << 20);
  }
  REQUIRE(cudaMemGetInfo(&free_after, &total) == cudaSuccess);
  CHECK(free_after == free_before);
  void* huge = nullptr;
  CHECK(cudaMalloc(&huge, total + 1) == cudaErrorMemoryAllocation);
  REQUIRE(cudaSetDevice(0) == cudaSuccess);
}

TEST_CASE("emulated runtime: copies and fills check their ranges and directions", "[emulator]") {
  DeviceArray<float> d(8);
  std::vector<float> h(8, 4.0f), back(8, 0.0f);
  CHECK(cudaMemcpy(d.get(), h.data(), 8 * sizeof(float), cudaMemcpyHostToDevice) == cudaSuccess);
  CHECK(cudaMemcpy(back.data(), d.get(), 8 * sizeof(float), cudaMemcpyDefault) == cudaSuccess);
  CHECK(back == h);
  CHECK(cudaMemset(d.get(), 0, 4 * sizeof(float)) == cudaSuccess);
  CHECK(d.host()[3] == 0.0f);
  CHECK(d.host()[4] == 4.0f);
  // One element too many, a host pointer where a device one belongs, and the reverse.
  CHECK(cudaMemcpy(d.get(), h.data(), 9 * sizeof(float), cudaMemcpyHostToDevice) == cudaErrorInvalidValue);
  CHECK_THAT(std::string(cudaGetErrorString(cudaErrorInvalidValue)),
             Catch::Contains("not inside one device allocation"));
  CHECK(cudaMemcpy(back.data(), h.data(), 8 * sizeof(float), cudaMemcpyDeviceToHost) == cudaErrorInvalidValue);
  CHECK(cudaMemcpy(d.get(), d.get() + 1, 4 * sizeof(float), cudaMemcpyDeviceToDevice) == cudaErrorInvalidValue);
  CHECK(cudaMemset(h.data(), 0, 4) == cudaErrorInvalidValue);
  CHECK(cudaFree(h.data()) == cudaErrorInvalidDevicePointer);
  cudaGetLastError();
}

TEST_CASE("emulated runtime: work queued on a stream runs when something waits for it", "[emulator]") {
  Stream s;
  DeviceArray<float> x(std::vector<float>(1000, 1.0f));
  REVGAN_LAUNCH(4, 256, 0, s.get(), add_one_kernel)(x.get(), 1000);
  REQUIRE(cudaGetLastError() == cudaSuccess);
  // A host read that does not wait for the stream sees the old values: the missing
  // synchronisation shows, every time.
  float first = 0;
  Stream other(cudaStreamNonBlocking);
  REQUIRE(cudaMemcpyAsync(&first, x.get(), sizeof(float), cudaMemcpyDeviceToHost, other.get()) == cudaSuccess);
  REQUIRE(cudaStreamSynchronize(other.get()) == cudaSuccess);
  CHECK(first == 1.0f);
  REQUIRE(cudaStreamSynchronize(s.get()) == cudaSuccess);
  REQUIRE(cudaMemcpyAsync(&first, x.get(), sizeof(float), cudaMemcpyDeviceToHost, other.get()) == cudaSuccess);
  REQUIRE(cudaStreamSynchronize(other.get()) == cudaSuccess);
  CHECK(first == 2.0f);
}

TEST_CASE("emulated runtime: an event orders a second stream after the first", "[emulator]") {
  Stream producer, consumer;
  Event ready;
  DeviceArray<float> x(std::vector<float>(256, 1.0f)), y(256);
  REVGAN_LAUNCH(1, 256, 0, producer.get(), add_one_kernel)(x.get(), 256);
  SECTION("without the event the copy reads the old values") {
    REQUIRE(cudaMemcpyAsync(y.get(), x.get(), 256 * sizeof(float), cudaMemcpyDeviceToDevice, consumer.get()) ==
            cudaSuccess);
    REQUIRE(cudaStreamSynchronize(consumer.get()) == cudaSuccess);
    CHECK(y.host()[0] == 1.0f);
  }
  SECTION("with the event it reads the new ones") {
    REQUIRE(cudaEventRecord(ready.get(), producer.get()) == cudaSuccess);
    REQUIRE(cudaStreamWaitEvent(consumer.get(), ready.get(), 0) == cudaSuccess);
    REQUIRE(cudaMemcpyAsync(y.get(), x.get(), 256 * sizeof(float), cudaMemcpyDeviceToDevice, consumer.get()) ==
            cudaSuccess);
    REQUIRE(cudaStreamSynchronize(consumer.get()) == cudaSuccess);
    CHECK(y.host()[0] == 2.0f);
  }
  Event start, stop;
  REQUIRE(cudaEventRecord(start.get(), producer.get()) == cudaSuccess);
  REQUIRE(cudaEventRecord(stop.get(), producer.get()) == cudaSuccess);
  float ms = -1;
  REQUIRE(cudaEventElapsedTime(&ms, start.get(), stop.get()) == cudaSuccess);
  CHECK(ms >= 0.0f);
}

TEST_CASE("emulated runtime: the legacy default stream waits for the blocking streams", "[emulator]") {
  Stream blocking;
  DeviceArray<float> x(std::vector<float>(256, 1.0f));
  REVGAN_LAUNCH(1, 256, 0, blocking.get(), add_one_kernel)(x.get(), 256);
  // A plain cudaMemcpy is legacy-stream work: it waits for the blocking stream's kernel.
  CHECK(x.host()[0] == 2.0f);
  Stream non_blocking(cudaStreamNonBlocking);
  REVGAN_LAUNCH(1, 256, 0, non_blocking.get(), add_one_kernel)(x.get(), 256);
  CHECK(x.host()[0] == 2.0f);  // a non-blocking stream is not waited for
  REQUIRE(cudaStreamSynchronize(non_blocking.get()) == cudaSuccess);
  CHECK(x.host()[0] == 3.0f);
}
