// Adam over named parameters, with PyTorch's bias correction and per-parameter step counts
// (a parameter skipped for lack of a gradient does not advance its own correction).
// Moment buffers are created on first use and charged to the "optimizer_state" category.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::optim {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

struct AdamParamState {
  int64_t step = 0;    // updates applied to this parameter
  Tensor exp_avg;     // first moment, same shape/dtype/device as the parameter
  Tensor exp_avg_sq;  // second moment
};

class Adam {
 public:
  using NamedParameters = std::vector<std::pair<std::string, Tensor>>;

  explicit Adam(NamedParameters params, AdamOptions options = {});

  // One update of every parameter that has a gradient.
  void step();
  // Drops every parameter's gradient buffer.
  void zero_grad();

  void set_lr(double lr);
  double lr() const { return options_.lr; }
  const AdamOptions& options() const { return options_; }

  const NamedParameters& named_parameters() const { return params_; }
  // Calls of step() so far (restored from checkpoints).
  int64_t step_count() const { return step_count_; }
  void set_step_count(int64_t steps);

  // nullptr until the parameter received its first update.
  const AdamParamState* state(const std::string& name) const;
  // Replaces a parameter's state with copies of the given moments (checked against the
  // parameter's shape and dtype, placed on its device).
  void set_state(const std::string& name, int64_t step, const Tensor& exp_avg, const Tensor& exp_avg_sq);
  void clear_state() { state_.clear(); }

 private:
  const Tensor& find_parameter(const std::string& name) const;

  NamedParameters params_;
  AdamOptions options_;
  int64_t step_count_ = 0;
  std::map<std::string, AdamParamState> state_;
};

}  // namespace revgan::optim
