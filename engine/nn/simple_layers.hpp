// Parameter-free layers: reflection / replication padding, instance norm, activations, identity.
// They exist as modules so that networks can be written as Sequential chains.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/nn/module.hpp"

namespace revgan::nn {

// pad_before / pad_after: one value per spatial axis ((D,) H, W) or one value for all.
class ReflectionPad : public Module {
 public:
  explicit ReflectionPad(int64_t pad) : ReflectionPad(std::vector<int64_t>{pad}, std::vector<int64_t>{pad}) {}
  ReflectionPad(std::vector<int64_t> pad_before, std::vector<int64_t> pad_after);
  std::string type_name() const override { return "ReflectionPad"; }
  Tensor forward(const Tensor& x) override;
  // As given: one value per spatial axis, or one for all.
  const std::vector<int64_t>& pad_before() const { return before_; }
  const std::vector<int64_t>& pad_after() const { return after_; }

 private:
  std::vector<int64_t> before_, after_;
};

class ReplicationPad : public Module {
 public:
  explicit ReplicationPad(int64_t pad) : ReplicationPad(std::vector<int64_t>{pad}, std::vector<int64_t>{pad}) {}
  ReplicationPad(std::vector<int64_t> pad_before, std::vector<int64_t> pad_after);
  std::string type_name() const override { return "ReplicationPad"; }
  Tensor forward(const Tensor& x) override;

 private:
  std::vector<int64_t> before_, after_;
};

// No affine parameters, no running statistics: per-instance in training and eval alike.
class InstanceNorm : public Module {
 public:
  explicit InstanceNorm(double eps = 1e-5) : eps_(eps) {}
  std::string type_name() const override { return "InstanceNorm"; }
  Tensor forward(const Tensor& x) override;
  double eps() const { return eps_; }

 private:
  double eps_;
};

// Passes x through: stands where a layer is left out (a normalisation with --norm none), so
// that the other children of a Sequential keep their positions and parameter paths, as
// PyTorch code puts an identity there.
class Identity : public Module {
 public:
  std::string type_name() const override { return "Identity"; }
  Tensor forward(const Tensor& x) override { return x; }
};

class ReLU : public Module {
 public:
  std::string type_name() const override { return "ReLU"; }
  Tensor forward(const Tensor& x) override;
};

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double slope = 0.2);
  std::string type_name() const override { return "LeakyReLU"; }
  Tensor forward(const Tensor& x) override;
  double slope() const { return slope_; }

 private:
  double slope_;
};

class Tanh : public Module {
 public:
  std::string type_name() const override { return "Tanh"; }
  Tensor forward(const Tensor& x) override;
};

class Sigmoid : public Module {
 public:
  std::string type_name() const override { return "Sigmoid"; }
  Tensor forward(const Tensor& x) override;
};

}  // namespace revgan::nn
