// Generator building blocks; layer order matches the reference networks child for child, so
// Sequential positions ("1.weight") line up with the reference parameter paths.
#include "models/blocks.hpp"

#include "engine/ops/arithmetic.hpp"

namespace revgan::models {

using nn::Conv;
using nn::ConvTranspose;
using nn::InstanceNorm;
using nn::ReflectionPad;
using nn::ReLU;

std::shared_ptr<nn::Sequential> make_encoder(int64_t in_nc, int64_t ngf, DType dtype) {
  REVGAN_CHECK(in_nc > 0 && ngf > 0, "encoder: channel counts must be positive, got in_nc={} ngf={}", in_nc, ngf);
  auto enc = std::make_shared<nn::Sequential>();
  enc->append(std::make_shared<ReflectionPad>(3))
      .append(std::make_shared<Conv>(2, in_nc, ngf, 7, 1, 0, true, dtype))
      .append(std::make_shared<InstanceNorm>())
      .append(std::make_shared<ReLU>());
  for (int64_t mult : {1, 2}) {
    enc->append(std::make_shared<Conv>(2, ngf * mult, ngf * mult * 2, 3, 2, 1, true, dtype))
        .append(std::make_shared<InstanceNorm>())
        .append(std::make_shared<ReLU>());
  }
  return enc;
}

std::shared_ptr<nn::Sequential> make_decoder(int64_t ngf, int64_t out_nc, DType dtype) {
  REVGAN_CHECK(out_nc > 0 && ngf > 0, "decoder: channel counts must be positive, got ngf={} out_nc={}", ngf, out_nc);
  auto dec = std::make_shared<nn::Sequential>();
  for (int64_t mult : {4, 2}) {
    dec->append(std::make_shared<ConvTranspose>(2, ngf * mult, ngf * mult / 2, 3, 2, 1, 1, true, dtype))
        .append(std::make_shared<InstanceNorm>())
        .append(std::make_shared<ReLU>());
  }
  dec->append(std::make_shared<ReflectionPad>(3))
      .append(std::make_shared<Conv>(2, ngf, out_nc, 7, 1, 0, true, dtype))
      .append(std::make_shared<nn::Tanh>());
  return dec;
}

std::shared_ptr<nn::Module> make_norm(bool instance_norm) {
  if (instance_norm) return std::make_shared<InstanceNorm>();
  return std::make_shared<nn::Identity>();
}

std::shared_ptr<nn::Sequential> make_conv_branch(int dims, int64_t channels, bool final_norm, DType dtype,
                                                 int64_t out_channels, bool instance_norm) {
  REVGAN_CHECK(channels > 0 && out_channels >= 0, "conv branch: channel counts must be positive, got {} -> {}",
               channels, out_channels);
  REVGAN_CHECK(instance_norm || !final_norm, "conv branch: a final instance norm needs instance_norm");
  if (out_channels == 0) out_channels = channels;
  auto branch = std::make_shared<nn::Sequential>();
  branch->append(std::make_shared<ReflectionPad>(1))
      .append(std::make_shared<Conv>(dims, channels, channels, 3, 1, 0, true, dtype))
      .append(make_norm(instance_norm))
      .append(std::make_shared<ReLU>())
      .append(std::make_shared<ReflectionPad>(1))
      .append(std::make_shared<Conv>(dims, channels, out_channels, 3, 1, 0, true, dtype));
  if (final_norm) branch->append(std::make_shared<InstanceNorm>());
  return branch;
}

ResidualBlock::ResidualBlock(std::shared_ptr<nn::Module> f) : f_(register_module("f", std::move(f))) {}

Tensor ResidualBlock::forward(const Tensor& x) { return ops::add(x, f_->forward(x)); }

void check_image_input(const char* model, const Tensor& x, int64_t channels) {
  REVGAN_CHECK(x.defined() && x.dim() == 4 && x.size(1) == channels, "{}: expected input [N, {}, H, W], got {}", model,
               channels, x.defined() ? x.describe() : std::string("an undefined tensor"));
  REVGAN_CHECK(x.size(2) % 4 == 0 && x.size(3) % 4 == 0,
               "{}: height and width must be multiples of 4 (two stride-2 stages), got {}x{}", model, x.size(2),
               x.size(3));
  REVGAN_CHECK(x.size(2) >= k_smallest_generator_image && x.size(3) >= k_smallest_generator_image,
               "{}: the input is {}x{}, smaller than the {}x{} the generator takes", model, x.size(2), x.size(3),
               k_smallest_generator_image, k_smallest_generator_image);
}

}  // namespace revgan::models
