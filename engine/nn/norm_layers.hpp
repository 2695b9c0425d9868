// Layers with state beyond their weights: BatchNorm (running statistics as buffers, named as
// PyTorch's BatchNorm2d/3d names them) and Dropout (its own seeded Generator).
#pragma once

#include <cstdint>

#include "engine/nn/module.hpp"
#include "engine/tensor/random.hpp"

namespace revgan::nn {

// Parameters weight [C] (ones) and bias [C] (zeros) when affine; buffers running_mean [C]
// (zeros), running_var [C] (ones) and num_batches_tracked (a float64 [1] counting training
// forwards; PyTorch keeps it as int64). Training mode normalises with batch statistics and
// updates the running ones; eval mode uses the running ones.
class BatchNorm : public Module {
 public:
  explicit BatchNorm(int64_t channels, double eps = 1e-5, double momentum = 0.1, bool affine = true,
                     DType dtype = DType::float32);
  std::string type_name() const override { return "BatchNorm"; }
  Tensor forward(const Tensor& x) override;

  int64_t channels() const { return channels_; }
  bool affine() const { return weight_.defined(); }
  double eps() const { return eps_; }
  double momentum() const { return momentum_; }
  const Tensor& running_mean() const { return running_mean_; }
  const Tensor& running_var() const { return running_var_; }

 private:
  int64_t channels_;
  double eps_, momentum_;
  Tensor weight_, bias_, running_mean_, running_var_, num_batches_tracked_;
};

// Zeroes each element with probability p in training mode (scaling the rest by 1 / (1 - p));
// the identity in eval mode. Each training forward draws one seed from the module's Generator.
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, uint64_t seed = 0);
  std::string type_name() const override { return "Dropout"; }
  Tensor forward(const Tensor& x) override;
  double p() const { return p_; }
  Generator& generator() { return gen_; }

 private:
  double p_;
  Generator gen_;
};

}  // namespace revgan::nn
