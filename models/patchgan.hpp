// The PatchGAN discriminator (2D or 3D): strided 4^dims convs with LeakyReLU 0.2 and IN, one
// logit per overlapping patch. Conditional models concatenate their inputs before calling.
#pragma once

#include <cstdint>
#include <memory>

#include "engine/nn/sequential.hpp"

namespace revgan::models {

struct PatchGanOptions {
  int dims = 2;          // 2 (images) or 3 (volumes)
  int64_t input_nc = 3;  // conditional models: condition channels + image channels
  int64_t ndf = 64;      // width of the first layer; the output size does not depend on it
  int64_t n_layers = 0;  // stride-2 stages; 0: the paper's choice, 3 in 2D and 2 in 3D
  bool sigmoid = false;  // probabilities for BCE (paired); logits for LSGAN (unpaired)
  DType dtype = DType::float32;
  uint64_t seed = 0;  // weights ~ N(0, init_std), biases 0
  double init_std = 0.02;
};

// Child "model": Conv(in, ndf, s2) -> LReLU; per further stage n < n_layers
// Conv(s2) -> IN -> LReLU with ndf * min(2^n, 8) channels; Conv(s1) -> IN -> LReLU with
// ndf * min(2^n_layers, 8); Conv(s1) to 1 channel [-> Sigmoid]. Kernel 4, zero padding 1.
class PatchGan : public nn::Module {
 public:
  explicit PatchGan(const PatchGanOptions& options);
  std::string type_name() const override { return "PatchGan"; }
  Tensor forward(const Tensor& x) override;

  const PatchGanOptions& options() const { return options_; }
  int64_t n_layers() const { return n_layers_; }
  // The smallest extent (per spatial axis) that `n_layers` stride-2 stages and the two stride-1
  // convs (kernel 4, padding 1) map to at least one logit.
  static int64_t smallest_input(int64_t n_layers);

 private:
  PatchGanOptions options_;
  int64_t n_layers_;
  std::shared_ptr<nn::Sequential> model_;
};

}  // namespace revgan::models
