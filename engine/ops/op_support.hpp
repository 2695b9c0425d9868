// Helpers every op uses before dispatch: argument checks that name the op and argument,
// and the device/dtype dispatch to kernels (a missing kernel is a loud error).
#pragma once

#include <string_view>
#include <type_traits>

#include "engine/autograd/grad_mode.hpp"
#include "engine/autograd/node.hpp"
#include "engine/ops/op_table.hpp"
#include "engine/tensor/tensor.hpp"

#ifdef REVGAN_WITH_CUDA
#include "engine/cuda/cuda_check.hpp"
#include "engine/cuda/stream.hpp"
#endif

// REVGAN_CUDA_BRANCH(lambda) passes an op's CUDA branch to ops::dispatch. In builds without the
// CUDA backend the lambda's text is dropped before compilation (its kernels are not even
// declared there) and replaced by a marker that makes dispatch fail loudly for CUDA tensors.
#ifdef REVGAN_WITH_CUDA
#define REVGAN_CUDA_BRANCH(...) __VA_ARGS__
#else
#define REVGAN_CUDA_BRANCH(...) ::revgan::ops::NoCudaKernel {}
#endif

namespace revgan::ops {

// Stands in for the CUDA branch of an op in builds without the CUDA backend.
struct NoCudaKernel {};

// `t` is defined, on the same device and of the same dtype as `ref`.
void check_compatible(OpKind op, std::string_view name, const Tensor& t, std::string_view ref_name,
                      const Tensor& ref);
void check_defined(OpKind op, std::string_view name, const Tensor& t);
void check_same_shape(OpKind op, std::string_view name, const Tensor& t, std::string_view ref_name,
                      const Tensor& ref);
// Rank within [lo, hi].
void check_rank(OpKind op, std::string_view name, const Tensor& t, int lo, int hi);

// Runs cpu(T{}) for a CPU tensor and fails for any other device: for code with no CUDA twin.
template <class Cpu>
void dispatch_cpu_only(OpKind op, const Tensor& ref, Cpu&& cpu) {
  if (ref.device().is_cpu()) {
    dispatch_floating(ref.dtype(), cpu);
    return;
  }
  REVGAN_FAIL("{}: no kernel for device {} in this build", op_name(op), ref.device().str());
}

// Runs cpu(T{}) for a CPU tensor and cuda(T{}) for a CUDA one, T being the C++ type of ref's
// dtype. Before the CUDA branch runs, ref's device is made current, so the branch launches on
// cuda::stream() of the right device and checks each launch with REVGAN_CUDA_CHECK.
template <class Cpu, class Cuda>
void dispatch(OpKind op, const Tensor& ref, Cpu&& cpu, Cuda&& cuda) {
  const Device device = ref.device();
  if (device.is_cpu()) {
    dispatch_floating(ref.dtype(), cpu);
    return;
  }
  if constexpr (std::is_same_v<std::decay_t<Cuda>, NoCudaKernel>) {
    REVGAN_FAIL("{}: no kernel for cuda in this build (tensor on {}; configure with -DREVGAN_CUDA=ON)", op_name(op),
                device.str());
  } else {
#ifdef REVGAN_WITH_CUDA
    if (device.is_cuda()) {
      cuda::set_device(device.index);
      dispatch_floating(ref.dtype(), cuda);
      return;
    }
#endif
    REVGAN_FAIL("{}: no kernel for device {} in this build", op_name(op), device.str());
  }
}

// A fresh tensor like `like` (shape, dtype, device).
inline Tensor empty_like(const Tensor& like) { return Tensor::empty(like.shape(), like.dtype(), like.device()); }

// Saves a tensor for backward without keeping its history alive (no reference cycles).
inline Tensor save_for_backward(const Tensor& t) { return t.defined() ? t.detach() : Tensor(); }

}  // namespace revgan::ops
