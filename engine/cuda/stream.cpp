// Per-device compute streams and library handles, each in an RAII wrapper, created lazily.
// The registry itself is never destroyed: tensors living in other static objects may be freed
// after any destruction order we could choose, and cuDNN / cuBLAS must not be torn down after
// the CUDA runtime has unloaded. The driver reclaims everything at process exit.
#include "engine/cuda/stream.hpp"

#include <array>
#include <memory>
#include <mutex>

#include "engine/cuda/cuda_check.hpp"
#include "engine/cuda/cuda_runtime_api.hpp"

namespace revgan::cuda {

namespace {

class Stream {
 public:
  Stream() {
    // A blocking stream (not cudaStreamNonBlocking): any stray legacy-default-stream call, such
    // as a plain cudaMemcpy in a test, is then still ordered with the engine's work.
    REVGAN_CUDA_CHECK(cudaStreamCreate(&stream_));
  }
  ~Stream() { cudaStreamDestroy(stream_); }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return stream_; }

 private:
  cudaStream_t stream_ = nullptr;
};

class CublasHandle {
 public:
  explicit CublasHandle(cudaStream_t stream) {
    REVGAN_CUBLAS_CHECK(cublasCreate(&handle_));
    REVGAN_CUBLAS_CHECK(cublasSetStream(handle_, stream));
    // Default math never uses TF32 unless NVIDIA_TF32_OVERRIDE forces it; say so explicitly.
    REVGAN_CUBLAS_CHECK(cublasSetMathMode(handle_, CUBLAS_DEFAULT_MATH));
    REVGAN_CUBLAS_CHECK(cublasSetAtomicsMode(handle_, CUBLAS_ATOMICS_NOT_ALLOWED));
  }
  ~CublasHandle() { cublasDestroy(handle_); }
  CublasHandle(const CublasHandle&) = delete;
  CublasHandle& operator=(const CublasHandle&) = delete;
  cublasHandle_t get() const { return handle_; }

 private:
  cublasHandle_t handle_ = nullptr;
};

class CudnnHandle {
 public:
  explicit CudnnHandle(cudaStream_t stream) {
    REVGAN_CUDNN_CHECK(cudnnCreate(&handle_));
    REVGAN_CUDNN_CHECK(cudnnSetStream(handle_, stream));
  }
  ~CudnnHandle() { cudnnDestroy(handle_); }
  CudnnHandle(const CudnnHandle&) = delete;
  CudnnHandle& operator=(const CudnnHandle&) = delete;
  cudnnHandle_t get() const { return handle_; }

 private:
  cudnnHandle_t handle_ = nullptr;
};

struct DeviceContext {
  std::unique_ptr<Stream> stream;
  std::unique_ptr<CublasHandle> cublas;
  std::unique_ptr<CudnnHandle> cudnn;
};

constexpr int k_max_devices = 64;

struct Registry {
  std::mutex mutex;
  std::array<DeviceContext, k_max_devices> devices;
};

Registry& registry() {
  static Registry* instance = new Registry();  // intentionally immortal, see the file comment
  return *instance;
}

DeviceContext& context_locked(Registry& r, int index) {
  REVGAN_CHECK(index >= 0 && index < k_max_devices && index < cuda_device_count(),
               "cuda:{}: device not available ({} usable device(s){})", index, cuda_device_count(),
               cuda_device_count() == 0 ? fmt::format(": {}", cuda_unavailable_reason()) : std::string());
  DeviceContext& c = r.devices[static_cast<std::size_t>(index)];
  if (!c.stream) c.stream = std::make_unique<Stream>();
  return c;
}

}  // namespace

void set_device(int index) {
  int current = -1;
  REVGAN_CUDA_CHECK(cudaGetDevice(&current));
  if (current != index) {
    REVGAN_CHECK(index >= 0 && index < cuda_device_count(), "cuda:{}: device not available ({} usable device(s))",
                 index, cuda_device_count());
    REVGAN_CUDA_CHECK(cudaSetDevice(index));
  }
}

int current_device() {
  int current = 0;
  REVGAN_CUDA_CHECK(cudaGetDevice(&current));
  return current;
}

DeviceGuard::DeviceGuard(int index) : previous_(current_device()) {
  set_device(index);
}

DeviceGuard::~DeviceGuard() {
  // Restoring a device that was valid a moment ago cannot fail in a way we could act on here.
  cudaSetDevice(previous_);
}

cudaStream_t stream() {
  Registry& r = registry();
  const int index = current_device();
  std::lock_guard lock(r.mutex);
  return context_locked(r, index).stream->get();
}

cublasHandle_t cublas() {
  Registry& r = registry();
  const int index = current_device();
  std::lock_guard lock(r.mutex);
  DeviceContext& c = context_locked(r, index);
  if (!c.cublas) c.cublas = std::make_unique<CublasHandle>(c.stream->get());
  return c.cublas->get();
}

cudnnHandle_t cudnn() {
  Registry& r = registry();
  const int index = current_device();
  std::lock_guard lock(r.mutex);
  DeviceContext& c = context_locked(r, index);
  if (!c.cudnn) c.cudnn = std::make_unique<CudnnHandle>(c.stream->get());
  return c.cudnn->get();
}

void synchronize() {
  REVGAN_CUDA_CHECK(cudaStreamSynchronize(stream()));
}

}  // namespace revgan::cuda
