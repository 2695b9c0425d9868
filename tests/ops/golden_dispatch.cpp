// Golden case -> engine call. The switch covers every OpKind, so a new row in the op table
// without a mapping here is a compiler warning, and an op name not in the table is an error.
#include "tests/ops/golden_dispatch.hpp"

#include "engine/autograd/backward.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "engine/ops/activation.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/batch_norm.hpp"
#include "engine/ops/channels.hpp"
#include "engine/ops/conv.hpp"
#include "engine/ops/dropout.hpp"
#include "engine/ops/instance_norm.hpp"
#include "engine/ops/loss.hpp"
#include "engine/ops/pad.hpp"
#include "engine/ops/reduce.hpp"
#include "engine/ops/upsample.hpp"

namespace revgan::test {

namespace {

using ops::OpKind;

void expect_inputs(const GoldenCase& c, const std::vector<Tensor>& x, std::size_t n) {
  REVGAN_CHECK(x.size() == n, "golden case {}: op {} takes {} inputs but the case has {}", c.name, c.op, n, x.size());
}

// Spatial ops record `dims` (2 or 3); it must agree with the input's rank (N, C, spatial...).
void expect_spatial(const GoldenCase& c, const Tensor& x) {
  int64_t dims = c.int_attr("dims");
  REVGAN_CHECK(dims + 2 == x.dim(), "golden case {}: dims = {} but input0 is {}", c.name, dims, x.describe());
}

std::vector<Tensor> call_op(const GoldenCase& c, OpKind kind, const std::vector<Tensor>& x) {
  switch (kind) {
    case OpKind::conv: {
      bool has_bias = c.int_attr("has_bias") != 0;
      expect_inputs(c, x, has_bias ? 3 : 2);
      expect_spatial(c, x[0]);
      ops::ConvOptions options;
      options.stride = c.ints("stride");
      options.padding = c.ints("padding");
      return {ops::conv(x[0], x[1], has_bias ? x[2] : Tensor(), options)};
    }
    case OpKind::conv_transpose: {
      bool has_bias = c.int_attr("has_bias") != 0;
      expect_inputs(c, x, has_bias ? 3 : 2);
      expect_spatial(c, x[0]);
      ops::ConvTransposeOptions options;
      options.stride = c.ints("stride");
      options.padding = c.ints("padding");
      options.output_padding = c.ints("output_padding");
      return {ops::conv_transpose(x[0], x[1], has_bias ? x[2] : Tensor(), options)};
    }
    case OpKind::reflection_pad:
      expect_inputs(c, x, 1);
      expect_spatial(c, x[0]);
      return {ops::reflection_pad(x[0], c.ints("pad_before"), c.ints("pad_after"))};
    case OpKind::replication_pad:
      expect_inputs(c, x, 1);
      expect_spatial(c, x[0]);
      return {ops::replication_pad(x[0], c.ints("pad_before"), c.ints("pad_after"))};
    case OpKind::instance_norm:
      expect_inputs(c, x, 1);
      return {ops::instance_norm(x[0], c.float_attr("eps"))};
    case OpKind::batch_norm: {
      const bool affine = c.int_attr("affine") != 0;
      expect_inputs(c, x, affine ? 5 : 3);
      ops::BatchNormOptions o;
      o.training = c.int_attr("training") != 0;
      o.momentum = c.float_attr("momentum");
      o.eps = c.float_attr("eps");
      const Tensor none;
      return {ops::batch_norm(x[0], affine ? x[1] : none, affine ? x[2] : none, x[x.size() - 2].clone(),
                              x[x.size() - 1].clone(), o)};
    }
    case OpKind::dropout: {
      expect_inputs(c, x, 1);
      Generator gen(0);
      // Times one, as the PyTorch side does, so the output is never the input itself.
      return {ops::scale(ops::dropout(x[0], c.float_attr("p"), c.int_attr("training") != 0, gen), 1.0)};
    }
    case OpKind::upsample_linear:
      expect_inputs(c, x, 1);
      expect_spatial(c, x[0]);
      return {ops::upsample_linear(x[0], c.ints("size"))};
    case OpKind::relu:
      expect_inputs(c, x, 1);
      return {ops::relu(x[0])};
    case OpKind::leaky_relu:
      expect_inputs(c, x, 1);
      return {ops::leaky_relu(x[0], c.float_attr("slope"))};
    case OpKind::tanh:
      expect_inputs(c, x, 1);
      return {ops::tanh(x[0])};
    case OpKind::sigmoid:
      expect_inputs(c, x, 1);
      return {ops::sigmoid(x[0])};
    case OpKind::reciprocal:
      expect_inputs(c, x, 1);
      return {ops::reciprocal(x[0])};
    case OpKind::add:
      expect_inputs(c, x, 2);
      return {ops::add(x[0], x[1])};
    case OpKind::sub:
      expect_inputs(c, x, 2);
      return {ops::sub(x[0], x[1])};
    case OpKind::mul:
      expect_inputs(c, x, 2);
      return {ops::mul(x[0], x[1])};
    case OpKind::scale:
      expect_inputs(c, x, 1);
      return {ops::scale(x[0], c.float_attr("alpha"))};
    case OpKind::concat:
      REVGAN_CHECK(!x.empty(), "golden case {}: concat without inputs", c.name);
      return {ops::concat_channels(x)};
    case OpKind::split:
      expect_inputs(c, x, 1);
      return ops::split_channels(x[0], c.ints("sizes"));
    case OpKind::sum:
      expect_inputs(c, x, 1);
      return {ops::sum(x[0])};
    case OpKind::mean:
      expect_inputs(c, x, 1);
      return {ops::mean(x[0])};
    case OpKind::l1_loss:
      expect_inputs(c, x, 2);
      return {ops::l1_loss(x[0], x[1])};
    case OpKind::mse_loss:
      expect_inputs(c, x, 2);
      return {ops::mse_loss(x[0], x[1])};
    case OpKind::bce_loss:
      expect_inputs(c, x, 2);
      return {ops::bce_loss(x[0], x[1])};
    case OpKind::bce_with_logits_loss:
      expect_inputs(c, x, 2);
      return {ops::bce_with_logits_loss(x[0], x[1])};
    case OpKind::count:
      break;
  }
  REVGAN_FAIL("golden case {}: no engine call for op {}", c.name, c.op);
}

}  // namespace

ops::OpKind golden_op_kind(const GoldenCase& c) {
  for (const auto& info : ops::op_table)
    if (info.name == c.op) return info.kind;
  REVGAN_FAIL("golden case {}: unknown op '{}' (not in engine/ops/op_table.hpp)", c.name, c.op);
}

GoldenResult run_golden_case(const GoldenCase& c, DType dtype) {
  OpKind kind = golden_op_kind(c);
  REVGAN_CHECK(c.grad_inputs.size() == c.inputs.size() && c.grad_outputs.size() == c.outputs.size(),
               "golden case {}: {} inputs with {} grad_inputs, {} outputs with {} grad_outputs", c.name,
               c.inputs.size(), c.grad_inputs.size(), c.outputs.size(), c.grad_outputs.size());
  EnableGradScope enable_grad;

  // Fresh copies, so that requires_grad and .grad never touch the loaded case.
  std::vector<Tensor> inputs;
  for (std::size_t i = 0; i < c.inputs.size(); ++i) {
    const Tensor& stored = c.inputs[i];
    Tensor x = stored.dtype() == dtype ? stored.clone() : stored.to(dtype);
    if (c.grad_inputs[i].defined()) x.set_requires_grad(true);
    inputs.push_back(std::move(x));
  }

  std::vector<Tensor> outputs = call_op(c, kind, inputs);
  REVGAN_CHECK(outputs.size() == c.outputs.size(), "golden case {}: the engine returned {} outputs, PyTorch {}",
               c.name, outputs.size(), c.outputs.size());

  bool any_grad = false;
  for (const Tensor& g : c.grad_inputs) any_grad = any_grad || g.defined();
  if (any_grad) {
    std::vector<Tensor> grads;
    for (const Tensor& g : c.grad_outputs) grads.push_back(g.dtype() == dtype ? g.clone() : g.to(dtype));
    run_backward(outputs, grads, false);
  }

  GoldenResult result;
  for (const Tensor& y : outputs) result.outputs.push_back(y.detach());
  for (std::size_t i = 0; i < inputs.size(); ++i)
    result.grad_inputs.push_back(c.grad_inputs[i].defined() ? inputs[i].grad() : Tensor());
  return result;
}

}  // namespace revgan::test
