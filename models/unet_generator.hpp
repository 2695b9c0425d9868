// pytorch-CycleGAN-and-pix2pix's U-Net generator (UnetGenerator / UnetSkipConnectionBlock),
// module for module, so parameter and buffer paths are their state-dict keys
// ("model.model.1.model.1.weight"). num_downs blocks, outermost first; each halves the size
// with a 4x4 stride-2 conv and doubles it back with a 4x4 stride-2 transposed conv:
//   outermost: conv(in_nc -> ngf), inner block, ReLU, convT(2 ngf -> out_nc, bias), Tanh
//   middle:    LeakyReLU(0.2), conv, norm, inner block, ReLU, convT, norm[, Dropout(0.5)]
//   innermost: LeakyReLU(0.2), conv, ReLU, convT, norm
// Widths ngf -> 2 ngf -> 4 ngf -> 8 ngf, then 8 ngf down to the innermost; dropout only in
// the num_downs - 5 blocks of width 8 ngf above the innermost. Every non-outermost block returns
// cat(LeakyReLU(x), its model's output): their LeakyReLU is in-place, so the skip carries the
// activated input, not x. Convs have a bias only with instance norm (theirs: use_bias), except
// the outermost transposed conv, which always has one. The input's sides must be multiples of
// 2^num_downs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "models/generator_pair.hpp"

namespace revgan::models {

struct UnetGeneratorOptions {
  int64_t input_nc = 3;
  int64_t output_nc = 3;
  int64_t ngf = 64;
  int64_t num_downs = 8;       // unet_256: 8, unet_128: 7
  std::string norm = "batch";  // batch | instance | none
  bool use_dropout = false;    // their --no_dropout turns it off
  DType dtype = DType::float32;
  uint64_t seed = 0;  // weights ~ N(0, 0.02), batch norm weights ~ N(1, 0.02); dropout seeds
};

// "unet_128" -> 7, "unet_256" -> 8; 0 for other names.
int64_t unet_num_downs(const std::string& netG);

class UnetBlock : public nn::Module {
 public:
  UnetBlock(bool outermost, std::shared_ptr<nn::Module> model) : outermost_(outermost) {
    register_module("model", std::move(model));
  }
  std::string type_name() const override { return "UnetSkipConnectionBlock"; }
  Tensor forward(const Tensor& x) override;
  bool outermost() const { return outermost_; }

 private:
  bool outermost_;
};

class UnetGenerator : public nn::Module {
 public:
  explicit UnetGenerator(const UnetGeneratorOptions& options);
  std::string type_name() const override { return "UnetGenerator"; }
  Tensor forward(const Tensor& x) override;
  const UnetGeneratorOptions& options() const { return options_; }

 private:
  UnetGeneratorOptions options_;
  std::shared_ptr<UnetBlock> model_;
};

// A UnetGenerator as g_xy of a GeneratorPair (pix2pix translates one way).
class OneWayUnet : public GeneratorPair {
 public:
  explicit OneWayUnet(const UnetGeneratorOptions& options);
  std::string type_name() const override { return "OneWayUnet"; }
  Tensor g_xy(const Tensor& x) override { return g_->forward(x); }
  Tensor g_yx(const Tensor& y) override;

 private:
  std::shared_ptr<UnetGenerator> g_;
};

}  // namespace revgan::models
