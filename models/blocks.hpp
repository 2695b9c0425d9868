// Pieces shared by the generators: the CycleGAN-style 2D encoder and decoder, the conv
// branch used as F / G of a coupling block or as a residual branch.
#pragma once

#include <cstdint>
#include <memory>

#include "engine/nn/layers.hpp"

namespace revgan::models {

// ReflectionPad 3 -> Conv 7x7 (in_nc -> K) -> IN -> ReLU, then twice
// [Conv 3x3 stride 2, zero padding 1 -> IN -> ReLU] (K -> 2K -> 4K).
std::shared_ptr<nn::Sequential> make_encoder(int64_t in_nc, int64_t ngf, DType dtype);
// Twice [ConvTranspose 3x3 stride 2, padding 1, output_padding 1 -> IN -> ReLU] (4K -> 2K -> K),
// then ReflectionPad 3 -> Conv 7x7 (K -> out_nc) -> Tanh.
std::shared_ptr<nn::Sequential> make_decoder(int64_t ngf, int64_t out_nc, DType dtype);

// ReflectionPad 1 -> Conv 3^dims -> IN -> ReLU -> ReflectionPad 1 -> Conv 3^dims [-> IN],
// channels -> out_channels (0: channels; an affine coupling's branch outputs twice its input).
// The last conv is child "5" (see last_conv_index). Without `instance_norm` an identity stands
// where the first IN was (final_norm must then be false).
std::shared_ptr<nn::Sequential> make_conv_branch(int dims, int64_t channels, bool final_norm, DType dtype,
                                                 int64_t out_channels = 0, bool instance_norm = true);
inline constexpr int64_t last_conv_index = 5;

// InstanceNorm, or an identity in its place (generators without normalisation).
std::shared_ptr<nn::Module> make_norm(bool instance_norm);

// x + F(x): the ResNet generator's block.
class ResidualBlock : public nn::Module {
 public:
  explicit ResidualBlock(std::shared_ptr<nn::Module> f);
  std::string type_name() const override { return "ResidualBlock"; }
  Tensor forward(const Tensor& x) override;

 private:
  std::shared_ptr<nn::Module> f_;
};

// The smallest height and width the 2D generators take: after two stride-2 stages the
// reflection padding of 1 in the core needs at least 2 pixels, and sides are multiples of 4.
inline constexpr int64_t k_smallest_generator_image = 8;

// Checks a 2D generator input [N, channels, H, W]: H and W must be multiples of 4 so that the
// two stride-2 stages and the two transposed convs give back the input size, and at least
// k_smallest_generator_image.
void check_image_input(const char* model, const Tensor& x, int64_t channels);

}  // namespace revgan::models
