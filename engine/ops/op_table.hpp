// The one table of differentiable ops. Adding an op means adding it here; the compiler checks
// that the table and the enum agree, and the test suite walks the table to prove that every
// op has a finite-difference gradient check and a PyTorch golden case.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace revgan::ops {

enum class OpKind : int {
  conv,
  conv_transpose,
  reflection_pad,
  replication_pad,
  instance_norm,
  batch_norm,
  dropout,
  upsample_linear,
  relu,
  leaky_relu,
  tanh,
  sigmoid,
  reciprocal,
  add,
  sub,
  mul,
  scale,
  concat,
  split,
  sum,
  mean,
  l1_loss,
  mse_loss,
  bce_loss,
  bce_with_logits_loss,
  count
};

struct OpInfo {
  OpKind kind;
  std::string_view name;         // as used in golden files and error messages
  std::string_view header;       // where the op is declared (engine/ops/...)
  std::string_view cpu_kernels;  // where its CPU kernels live (kernels/cpu/...)
};

inline constexpr std::array<OpInfo, static_cast<std::size_t>(OpKind::count)> op_table{{
    {OpKind::conv, "conv", "engine/ops/conv.hpp", "kernels/cpu/conv.hpp"},
    {OpKind::conv_transpose, "conv_transpose", "engine/ops/conv.hpp", "kernels/cpu/conv_transpose.hpp"},
    {OpKind::reflection_pad, "reflection_pad", "engine/ops/pad.hpp", "kernels/cpu/pad.hpp"},
    {OpKind::replication_pad, "replication_pad", "engine/ops/pad.hpp", "kernels/cpu/pad.hpp"},
    {OpKind::instance_norm, "instance_norm", "engine/ops/instance_norm.hpp", "kernels/cpu/instance_norm.hpp"},
    {OpKind::batch_norm, "batch_norm", "engine/ops/batch_norm.hpp", "kernels/cpu/batch_norm.hpp"},
    {OpKind::dropout, "dropout", "engine/ops/dropout.hpp", "kernels/cpu/dropout.hpp"},
    {OpKind::upsample_linear, "upsample_linear", "engine/ops/upsample.hpp", "kernels/cpu/upsample.hpp"},
    {OpKind::relu, "relu", "engine/ops/activation.hpp", "kernels/cpu/elementwise.hpp"},
    {OpKind::leaky_relu, "leaky_relu", "engine/ops/activation.hpp", "kernels/cpu/elementwise.hpp"},
    {OpKind::tanh, "tanh", "engine/ops/activation.hpp", "kernels/cpu/elementwise.hpp"},
    {OpKind::sigmoid, "sigmoid", "engine/ops/activation.hpp", "kernels/cpu/elementwise.hpp"},
    {OpKind::reciprocal, "reciprocal", "engine/ops/activation.hpp", "kernels/cpu/elementwise.hpp"},
    {OpKind::add, "add", "engine/ops/arithmetic.hpp", "kernels/cpu/elementwise.hpp"},
    {OpKind::sub, "sub", "engine/ops/arithmetic.hpp", "kernels/cpu/elementwise.hpp"},
    {OpKind::mul, "mul", "engine/ops/arithmetic.hpp", "kernels/cpu/elementwise.hpp"},
    {OpKind::scale, "scale", "engine/ops/arithmetic.hpp", "kernels/cpu/elementwise.hpp"},
    {OpKind::concat, "concat", "engine/ops/channels.hpp", "kernels/cpu/channels.hpp"},
    {OpKind::split, "split", "engine/ops/channels.hpp", "kernels/cpu/channels.hpp"},
    {OpKind::sum, "sum", "engine/ops/reduce.hpp", "kernels/cpu/reduce.hpp"},
    {OpKind::mean, "mean", "engine/ops/reduce.hpp", "kernels/cpu/reduce.hpp"},
    {OpKind::l1_loss, "l1_loss", "engine/ops/loss.hpp", "kernels/cpu/reduce.hpp"},
    {OpKind::mse_loss, "mse_loss", "engine/ops/loss.hpp", "kernels/cpu/reduce.hpp"},
    {OpKind::bce_loss, "bce_loss", "engine/ops/loss.hpp", "kernels/cpu/reduce.hpp"},
    {OpKind::bce_with_logits_loss, "bce_with_logits_loss", "engine/ops/loss.hpp", "kernels/cpu/reduce.hpp"},
}};

constexpr bool op_table_is_ordered() {
  for (std::size_t i = 0; i < op_table.size(); ++i)
    if (static_cast<std::size_t>(op_table[i].kind) != i) return false;
  return true;
}
static_assert(op_table_is_ordered(), "op_table rows must follow the OpKind enum order, one row per op");

constexpr std::string_view op_name(OpKind kind) { return op_table[static_cast<std::size_t>(kind)].name; }

}  // namespace revgan::ops
