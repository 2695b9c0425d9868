// CUDA allocator: cudaMalloc per request, accounted like every other allocation.
// (Block caching arrives with the CUDA backend issue; the accounting interface is final.)
#include "engine/cuda/cuda_allocator.hpp"

#include <map>
#include <memory>
#include <mutex>

#include "engine/cuda/cuda_check.hpp"
#include "engine/cuda/cuda_runtime_api.hpp"

namespace revgan {

namespace {

class CudaAllocator final : public Allocator {
 public:
  explicit CudaAllocator(int index) : index_(index) {}
  Device device() const override { return Device::cuda(index_); }

 protected:
  void* raw_allocate(std::size_t bytes) override {
    REVGAN_CHECK(index_ < cuda_device_count(), "cuda:{}: device not available ({})", index_,
                 cuda_device_count() == 0 ? cuda_unavailable_reason() : "index out of range");
    REVGAN_CUDA_CHECK(cudaSetDevice(index_));
    void* ptr = nullptr;
    cudaError_t status = cudaMalloc(&ptr, bytes);
    if (status != cudaSuccess) {
      cudaGetLastError();
      REVGAN_FAIL("cuda:{}: out of memory allocating {} bytes with {} bytes live; try memory-saving mode or a "
                  "smaller crop",
                  index_, bytes, stats().live_bytes);
    }
    return ptr;
  }
  void raw_deallocate(void* ptr, std::size_t) noexcept override { cudaFree(ptr); }

 private:
  int index_;
};

}  // namespace

Allocator& cuda_allocator(int device_index) {
  static std::mutex mutex;
  static std::map<int, std::unique_ptr<CudaAllocator>> allocators;
  std::lock_guard lock(mutex);
  auto& slot = allocators[device_index];
  if (!slot) slot = std::make_unique<CudaAllocator>(device_index);
  return *slot;
}

}  // namespace revgan
