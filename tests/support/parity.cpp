// The cross-backend harness. The backward is driven through a scalar sum_k sum(out_k * up_k)
// built from the engine's own mul and sum, so every output's gradient is a fixed random tensor
// on both backends.
#include "tests/support/parity.hpp"

#include <catch2/catch.hpp>

#include "engine/ops/arithmetic.hpp"
#include "engine/ops/dispatch.hpp"
#include "engine/ops/reduce.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

namespace revgan::test {

namespace {

Tensor make_input(const ParityInput& in, uint64_t seed, DType dtype) {
  return in.lo < in.hi ? random_uniform(in.shape, seed, in.lo, in.hi, dtype) : random_normal(in.shape, seed, dtype);
}

struct Run {
  std::vector<Tensor> inputs, outputs;
};

Run run_on(const ParityCase& c, const std::vector<Tensor>& values, const std::vector<Tensor>& upstream, Device device) {
  Run r;
  for (std::size_t i = 0; i < values.size(); ++i) {
    Tensor t = values[i].to(device).clone();
    if (c.inputs[i].grad) t.set_requires_grad(true);
    r.inputs.push_back(t);
  }
  r.outputs = c.run(r.inputs);
  Tensor total;
  for (std::size_t k = 0; k < r.outputs.size(); ++k) {
    if (!r.outputs[k].requires_grad()) continue;
    Tensor term = ops::sum(ops::mul(r.outputs[k], upstream[k].to(device)));
    total = total.defined() ? ops::add(total, term) : term;
  }
  if (total.defined()) total.backward();
  return r;
}

}  // namespace

void check_parity(const ParityCase& c, DType dtype) {
  const double tol = dtype == DType::float64     ? tolerance::cuda_float64
                     : c.float32_tolerance > 0.0 ? c.float32_tolerance
                                                 : tolerance::cuda_float32;
  std::vector<Tensor> values;
  for (std::size_t i = 0; i < c.inputs.size(); ++i) values.push_back(make_input(c.inputs[i], 1000 + i, dtype));

  // The upstream gradients need the output shapes: a no-grad CPU run gives them.
  std::vector<Tensor> upstream;
  {
    std::vector<Tensor> plain;
    for (const Tensor& v : values) plain.push_back(v.clone());
    for (std::size_t k = 0; const Tensor& out : c.run(plain))
      upstream.push_back(random_normal(out.shape(), 2000 + k++, dtype));
  }

  Run cpu = run_on(c, values, upstream, Device::cpu());
  std::vector<int64_t> before;
  for (ops::OpKind op : c.ops) before.push_back(ops::testing::cuda_dispatches[static_cast<std::size_t>(op)].load());
  Run gpu = run_on(c, values, upstream, Device::cuda(0));
  REQUIRE_FALSE(c.ops.empty());
  for (std::size_t i = 0; i < c.ops.size(); ++i) {
    INFO(c.name << ": claims to check " << ops::op_name(c.ops[i]) << " but never ran its CUDA kernels");
    CHECK(ops::testing::cuda_dispatches[static_cast<std::size_t>(c.ops[i])].load() > before[i]);
  }
  REQUIRE(cpu.outputs.size() == gpu.outputs.size());
  for (std::size_t k = 0; k < cpu.outputs.size(); ++k) {
    INFO(c.name << " (" << dtype_name(dtype) << "): output " << k << " " << cpu.outputs[k].shape().str());
    REQUIRE(gpu.outputs[k].device().is_cuda());
    REVGAN_REQUIRE_CLOSE(compare(gpu.outputs[k], cpu.outputs[k], tol));
  }
  for (std::size_t i = 0; i < c.inputs.size(); ++i) {
    if (!c.inputs[i].grad) continue;
    INFO(c.name << " (" << dtype_name(dtype) << "): gradient of input " << i << " " << c.inputs[i].shape.str());
    REQUIRE(cpu.inputs[i].grad().defined());
    REQUIRE(gpu.inputs[i].grad().defined());
    REQUIRE(gpu.inputs[i].grad().device().is_cuda());
    REVGAN_REQUIRE_CLOSE(compare(gpu.inputs[i].grad(), cpu.inputs[i].grad(), tol));
  }
}

void check_parity_all(const std::vector<ParityCase>& cases) {
  for (const ParityCase& c : cases) {
    for (DType dtype : {DType::float32, DType::float64}) {
      DYNAMIC_SECTION(c.name << " " << dtype_name(dtype)) {
        check_parity(c, dtype);
      }
    }
  }
}

}  // namespace revgan::test
