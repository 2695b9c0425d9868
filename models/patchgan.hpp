// The PatchGAN discriminator (2D or 3D): strided 4^dims convs with LeakyReLU 0.2 and IN, one
// logit per overlapping patch; or its 1x1 variant, the PixelGAN (pix2pix's `--netD pixel`), one
// logit per pixel. Conditional models concatenate their inputs before calling.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/nn/sequential.hpp"

namespace revgan::models {

// pytorch-CycleGAN-and-pix2pix's --netD: n_layers (NLayerDiscriminator; their `basic` is
// n_layers 3) or pixel (PixelDiscriminator).
enum class PatchGanArch { n_layers, pixel };
// "n_layers" or "pixel"; throws naming the value otherwise.
PatchGanArch parse_patchgan_arch(const std::string& netD);

struct PatchGanOptions {
  PatchGanArch arch = PatchGanArch::n_layers;
  int dims = 2;          // 2 (images) or 3 (volumes)
  int64_t input_nc = 3;  // conditional models: condition channels + image channels
  int64_t ndf = 64;      // width of the first layer; the output size does not depend on it
  int64_t n_layers = 0;  // n_layers: stride-2 stages; 0: the paper's choice, 3 in 2D and 2 in 3D. pixel: unused
  bool sigmoid = false;  // probabilities for BCE (paired); logits for LSGAN (unpaired)
  DType dtype = DType::float32;
  uint64_t seed = 0;  // weights ~ N(0, init_std), biases 0
  double init_std = 0.02;
};

// n_layers, child "model": Conv(in, ndf, s2) -> LReLU; per further stage n < n_layers
// Conv(s2) -> IN -> LReLU with ndf * min(2^n, 8) channels; Conv(s1) -> IN -> LReLU with
// ndf * min(2^n_layers, 8); Conv(s1) to 1 channel [-> Sigmoid]. Kernel 4, zero padding 1.
// pixel, child "net": Conv(in, ndf) -> LReLU -> Conv(ndf, 2 ndf) -> IN -> LReLU -> Conv(2 ndf, 1)
// [-> Sigmoid], all kernel 1: the output has the input's spatial size.
// The child names are those of the PyTorch twins, so our parameter paths are their keys.
class PatchGan : public nn::Module {
 public:
  explicit PatchGan(const PatchGanOptions& options);
  std::string type_name() const override { return "PatchGan"; }
  Tensor forward(const Tensor& x) override;

  const PatchGanOptions& options() const { return options_; }
  int64_t n_layers() const { return n_layers_; }  // 0 for pixel
  // The child Sequential holding every layer: "model" (n_layers) or "net" (pixel).
  const char* body_name() const;
  // The smallest extent (per spatial axis) that the network maps to at least one logit:
  // n_layers stride-2 stages and the two stride-1 convs (kernel 4, padding 1); 1 for pixel.
  static int64_t smallest_input(const PatchGanOptions& options);

 private:
  PatchGanOptions options_;
  int64_t n_layers_;
  std::shared_ptr<nn::Sequential> body_;
};

}  // namespace revgan::models
