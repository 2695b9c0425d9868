// Library contexts for the current device; scratch is a DeviceBuffer (charged to the memory
// category in force when the kernel asks for it, and counted in library_scratch.hpp).
#include "engine/cuda/library_context.hpp"

#include <fmt/format.h>

#include <memory>

#include "engine/cuda/cudnn_workspace_policy.hpp"
#include "engine/cuda/device_buffer.hpp"
#include "engine/cuda/library_scratch.hpp"
#include "engine/cuda/stream.hpp"

namespace revgan::cuda {

kernels::cuda::LibraryContext library_context() {
  kernels::cuda::LibraryContext ctx;
  ctx.device = current_device();
  ctx.stream = stream();
  ctx.cublas = cublas();
  ctx.cudnn = cudnn();
  ctx.lean_conv_workspace = cudnn_workspace_policy() == CudnnWorkspacePolicy::lean;
  const Device device = Device::cuda(ctx.device);
  ctx.scratch = [device](std::size_t bytes) -> std::shared_ptr<void> {
    // The count drops when the last holder lets go, just before the buffer returns to the allocator.
    struct Counted {
      DeviceBuffer buffer;
      Counted(Device d, std::size_t n) : buffer(d, n) { note_library_scratch_taken(static_cast<int64_t>(n)); }
      ~Counted() { note_library_scratch_released(static_cast<int64_t>(buffer.bytes())); }
      Counted(const Counted&) = delete;
      Counted& operator=(const Counted&) = delete;
    };
    auto counted = std::make_shared<Counted>(device, bytes);
    return std::shared_ptr<void>(counted, counted->buffer.data());
  };
  return ctx;
}

std::string describe(const kernels::cuda::LibraryStatus& s) {
  using Library = kernels::cuda::LibraryStatus::Library;
  switch (s.library) {
    case Library::none:
      return "success";
    case Library::unsupported:
      return s.what;
    case Library::cuda: {
      const auto e = static_cast<cudaError_t>(s.code);
      return fmt::format("{} failed: CUDA error {}: {}", s.what, cudaGetErrorName(e), cudaGetErrorString(e));
    }
    case Library::cublas: {
      const auto e = static_cast<cublasStatus_t>(s.code);
      return fmt::format("{} failed: cuBLAS error {}: {}", s.what, cublasGetStatusName(e), cublasGetStatusString(e));
    }
    case Library::cudnn: {
      const auto e = static_cast<cudnnStatus_t>(s.code);
      return fmt::format("{} failed: cuDNN error {}: {}", s.what, s.code, cudnnGetErrorString(e));
    }
  }
  return "unknown library status";
}

}  // namespace revgan::cuda
