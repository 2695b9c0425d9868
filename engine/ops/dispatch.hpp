// The one device switch of the engine: ops::dispatch runs an op's CPU branch for a CPU tensor and
// its CUDA branch (made current on the tensor's device) for a CUDA one, for the tensor's dtype.
// Everything that computes on tensors goes through it: the ops of the op table (by OpKind), and
// the optimizer update and dtype conversion (by name). In builds without the CUDA backend,
// REVGAN_CUDA_BRANCH(...) drops its argument's text and a CUDA tensor is a loud error. CPU
// dispatches are timed while op profiling is on (op_profile.hpp).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "engine/ops/op_profile.hpp"
#include "engine/ops/op_table.hpp"
#include "engine/tensor/tensor.hpp"

#ifdef REVGAN_WITH_CUDA
#include "engine/cuda/cuda_check.hpp"
#include "engine/cuda/stream.hpp"
#define REVGAN_CUDA_BRANCH(...) __VA_ARGS__
#else
#define REVGAN_CUDA_BRANCH(...) \
  ::revgan::ops::NoCudaKernel {}
#endif

namespace revgan::ops {

// Stands in for the CUDA branch of an op in builds without the CUDA backend.
struct NoCudaKernel {};

namespace testing {
// How many times each op of the table has run its CUDA branch in this process (the parity tests
// check that each case really reaches the CUDA kernels of the ops it claims to cover).
inline std::array<std::atomic<int64_t>, static_cast<std::size_t>(OpKind::count)> cuda_dispatches{};
}  // namespace testing

// Runs cpu(T{}) for a CPU tensor and cuda(T{}) for a CUDA one, T being the C++ type of ref's
// dtype; `what` names the computation in errors. Before the CUDA branch runs, ref's device is
// made current, so the branch launches on cuda::stream() of the right device.
template <class Cpu, class Cuda>
void dispatch(std::string_view what, const Tensor& ref, Cpu&& cpu, Cuda&& cuda) {
  const Device device = ref.device();
  if (device.is_cpu()) {
    if (!op_profiling()) {
      dispatch_floating(ref.dtype(), cpu);
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    dispatch_floating(ref.dtype(), cpu);
    detail::record_op_time(what, ref.shape(),
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return;
  }
  if constexpr (std::is_same_v<std::decay_t<Cuda>, NoCudaKernel>) {
    REVGAN_FAIL("{}: no kernel for cuda in this build (tensor on {}; configure with -DREVGAN_CUDA=ON)", what,
                device.str());
  } else {
#ifdef REVGAN_WITH_CUDA
    if (device.is_cuda()) {
      cuda::set_device(device.index);
      dispatch_floating(ref.dtype(), cuda);
      return;
    }
#endif
    REVGAN_FAIL("{}: no kernel for device {} in this build", what, device.str());
  }
}

// The same for an op of the op table.
template <class Cpu, class Cuda>
void dispatch(OpKind op, const Tensor& ref, Cpu&& cpu, Cuda&& cuda) {
  if (ref.device().is_cuda()) testing::cuda_dispatches[static_cast<std::size_t>(op)].fetch_add(1);
  dispatch(op_name(op), ref, std::forward<Cpu>(cpu), std::forward<Cuda>(cuda));
}

}  // namespace revgan::ops
