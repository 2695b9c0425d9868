// Helpers every op uses: argument checks that name the op and argument (before dispatch), and
// the device/dtype dispatch to kernels of dispatch.hpp (a missing kernel is a loud error).
#pragma once

#include <string_view>
#include <type_traits>

#include "engine/autograd/grad_mode.hpp"
#include "engine/autograd/node.hpp"
#include "engine/ops/dispatch.hpp"
#include "engine/ops/op_table.hpp"
#include "engine/tensor/tensor.hpp"

namespace revgan::ops {

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

// A fresh tensor like `like` (shape, dtype, device).
inline Tensor empty_like(const Tensor& like) { return Tensor::empty(like.shape(), like.dtype(), like.device()); }

// Saves a tensor for backward without keeping its history alive (no reference cycles).
inline Tensor save_for_backward(const Tensor& t) { return t.defined() ? t.detach() : Tensor(); }

}  // namespace revgan::ops
