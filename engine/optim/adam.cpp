// Adam: per-parameter state bookkeeping and the update through ops::dispatch into kernels/cpu/adam
// or kernels/cuda/adam.
#include "engine/optim/adam.hpp"

#include <cmath>
#include <set>

#include "engine/memory/memory_category.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/dispatch.hpp"
#include "kernels/cpu/adam.hpp"

#ifdef REVGAN_WITH_CUDA
#include "kernels/cuda/adam.cuh"
#endif

namespace revgan::optim {

namespace {

void check_options(const AdamOptions& o) {
  REVGAN_CHECK(o.lr >= 0, "Adam: learning rate must be non-negative, got {}", o.lr);
  REVGAN_CHECK(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1,
               "Adam: betas must be in [0, 1), got ({}, {})", o.beta1, o.beta2);
  REVGAN_CHECK(o.eps >= 0, "Adam: eps must be non-negative, got {}", o.eps);
}

Tensor state_copy(const Tensor& value, const Tensor& param) {
  MemoryCategoryScope scope(MemoryCategory::optimizer_state);
  Tensor t = Tensor::empty(param.shape(), param.dtype(), param.device());
  t.copy_from(value);
  return t;
}

}  // namespace

Adam::Adam(NamedParameters params, AdamOptions options) : params_(std::move(params)), options_(options) {
  check_options(options_);
  std::set<std::string> seen;
  for (const auto& [name, t] : params_) {
    REVGAN_CHECK(!name.empty(), "Adam: a parameter has an empty name");
    REVGAN_CHECK(seen.insert(name).second, "Adam: parameter '{}' is listed twice", name);
    REVGAN_CHECK(t.defined(), "Adam: parameter '{}' is undefined", name);
    REVGAN_CHECK(t.is_leaf(), "Adam: parameter '{}' is not a leaf tensor", name);
  }
}

void Adam::set_lr(double lr) {
  REVGAN_CHECK(lr >= 0, "Adam: learning rate must be non-negative, got {}", lr);
  options_.lr = lr;
}

void Adam::set_step_count(int64_t steps) {
  REVGAN_CHECK(steps >= 0, "Adam: step count must be non-negative, got {}", steps);
  step_count_ = steps;
}

const Tensor& Adam::find_parameter(const std::string& name) const {
  for (const auto& [n, t] : params_)
    if (n == name) return t;
  REVGAN_FAIL("Adam: no parameter named '{}'", name);
}

const AdamParamState* Adam::state(const std::string& name) const {
  auto it = state_.find(name);
  return it == state_.end() ? nullptr : &it->second;
}

void Adam::set_state(const std::string& name, int64_t step, const Tensor& exp_avg, const Tensor& exp_avg_sq) {
  const Tensor& p = find_parameter(name);
  REVGAN_CHECK(step >= 1, "Adam: state of '{}' needs step >= 1, got {}", name, step);
  for (const Tensor* m : {&exp_avg, &exp_avg_sq})
    REVGAN_CHECK(m->defined() && m->shape() == p.shape() && m->dtype() == p.dtype(),
                 "Adam: state of '{}' must be {} {}, got {}", name, dtype_name(p.dtype()), p.shape().str(),
                 m->describe());
  state_[name] = AdamParamState{step, state_copy(exp_avg, p), state_copy(exp_avg_sq, p)};
}

void Adam::step() {
  for (auto& entry : params_) {
    const std::string& name = entry.first;
    Tensor& p = entry.second;
    const Tensor& g = p.grad();
    if (!g.defined()) continue;
    REVGAN_CHECK(g.shape() == p.shape() && g.dtype() == p.dtype() && g.device() == p.device(),
                 "Adam: gradient {} does not match parameter '{}' {}", g.describe(), name, p.describe());
    auto [it, fresh] = state_.try_emplace(name);
    AdamParamState& s = it->second;
    if (fresh) {
      MemoryCategoryScope scope(MemoryCategory::optimizer_state);
      s.exp_avg = ops::zeros_like(p);
      s.exp_avg_sq = ops::zeros_like(p);
    }
    s.step += 1;
    // Scalars in double whatever the dtype, as PyTorch computes them on the host.
    const double t = static_cast<double>(s.step);
    const double step_size = options_.lr / (1.0 - std::pow(options_.beta1, t));
    const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(options_.beta2, t));
    ops::dispatch(
        "Adam", p,
        [&](auto tag) {
          using T = decltype(tag);
          kernels::cpu::adam_update<T>(p.numel(), p.data<T>(), g.data<T>(), s.exp_avg.data<T>(),
                                       s.exp_avg_sq.data<T>(), static_cast<T>(options_.beta1),
                                       static_cast<T>(options_.beta2), static_cast<T>(step_size),
                                       static_cast<T>(bias_correction2_sqrt), static_cast<T>(options_.eps));
        },
        REVGAN_CUDA_BRANCH([&](auto tag) {
          using T = decltype(tag);
          REVGAN_CUDA_CHECK(kernels::cuda::adam_update<T>(
              p.numel(), p.data<T>(), g.data<T>(), s.exp_avg.data<T>(), s.exp_avg_sq.data<T>(),
              static_cast<T>(options_.beta1), static_cast<T>(options_.beta2), static_cast<T>(step_size),
              static_cast<T>(bias_correction2_sqrt), static_cast<T>(options_.eps), cuda::stream()));
        }));
  }
  ++step_count_;
}

void Adam::zero_grad() {
  for (auto& [_, p] : params_) p.zero_grad();
}

}  // namespace revgan::optim
