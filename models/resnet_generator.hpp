// The CycleGAN / pix2pix ResNet generator: Enc -> R residual blocks x + F(x) on 4K channels
// -> Dec. pix2pix uses one; CycleGAN uses two independent ones (CycleGanGenerators).
#pragma once

#include <cstdint>
#include <memory>

#include "engine/nn/sequential.hpp"
#include "engine/tensor/random.hpp"
#include "models/generator_pair.hpp"

namespace revgan::models {

// Shape: input_nc, output_nc, ngf (the residual blocks run on 4K channels), depth R residual blocks.
struct ResnetGeneratorOptions : GeneratorShape {};

// Children: enc, blocks ("blocks.<i>.f.<j>"), dec.
class ResnetGenerator : public nn::Module {
 public:
  explicit ResnetGenerator(const ResnetGeneratorOptions& options);
  // Draws the weights from `gen` instead of a fresh Generator(options.seed): several networks
  // can then share one stream.
  ResnetGenerator(const ResnetGeneratorOptions& options, Generator& gen);
  std::string type_name() const override { return "ResnetGenerator"; }
  Tensor forward(const Tensor& x) override;

  const ResnetGeneratorOptions& options() const { return options_; }

 private:
  void build(Generator& gen);

  ResnetGeneratorOptions options_;
  std::shared_ptr<nn::Sequential> enc_, blocks_, dec_;
};

// CycleGAN's two generators: g_xy maps input_nc -> output_nc, g_yx the reverse. Both draw from
// one Generator(options.seed), g_xy first, as if the pair were initialised as one module.
class CycleGanGenerators : public GeneratorPair {
 public:
  explicit CycleGanGenerators(const ResnetGeneratorOptions& options);
  std::string type_name() const override { return "CycleGanGenerators"; }

  Tensor g_xy(const Tensor& x) override { return xy_->forward(x); }
  Tensor g_yx(const Tensor& y) override { return yx_->forward(y); }
  ResnetGenerator& xy() { return *xy_; }
  ResnetGenerator& yx() { return *yx_; }

 private:
  std::shared_ptr<ResnetGenerator> xy_, yx_;
};

// pix2pix's single generator, input -> output only; g_yx throws (the direction does not exist).
class OneWayGenerator : public GeneratorPair {
 public:
  explicit OneWayGenerator(const ResnetGeneratorOptions& options);
  std::string type_name() const override { return "OneWayGenerator"; }

  Tensor g_xy(const Tensor& x) override { return g_->forward(x); }
  Tensor g_yx(const Tensor& y) override;

 private:
  std::shared_ptr<ResnetGenerator> g_;
};

}  // namespace revgan::models
