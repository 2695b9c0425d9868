// ResNet generator and the CycleGAN pair.
#include "models/resnet_generator.hpp"

#include <utility>

#include "engine/nn/init.hpp"
#include "models/blocks.hpp"

namespace revgan::models {

ResnetGenerator::ResnetGenerator(const ResnetGeneratorOptions& options) : options_(options) {
  Generator gen(options.seed);
  build(gen);
}

ResnetGenerator::ResnetGenerator(const ResnetGeneratorOptions& options, Generator& gen) : options_(options) {
  build(gen);
}

void ResnetGenerator::build(Generator& gen) {
  const ResnetGeneratorOptions& options = options_;
  REVGAN_CHECK(options.input_nc > 0 && options.output_nc > 0 && options.ngf > 0,
               "ResnetGenerator: input_nc, output_nc and ngf must be positive, got {}, {}, {}", options.input_nc,
               options.output_nc, options.ngf);
  REVGAN_CHECK(options.depth >= 0, "ResnetGenerator: depth must be non-negative, got {}", options.depth);
  const int64_t k = options.ngf;
  enc_ = register_module("enc", make_encoder(options.input_nc, k, options.dtype));
  blocks_ = register_module("blocks", std::make_shared<nn::Sequential>());
  for (int64_t i = 0; i < options.depth; ++i)
    blocks_->append(std::make_shared<ResidualBlock>(make_conv_branch(2, 4 * k, true, options.dtype)));
  dec_ = register_module("dec", make_decoder(k, options.output_nc, options.dtype));
  nn::init_normal(*this, gen, options.init_std);
}

Tensor ResnetGenerator::forward(const Tensor& x) {
  check_image_input("ResnetGenerator", x, options_.input_nc);
  Tensor h = enc_->forward(x);  // one part at a time, as RevGan2d::g_xy
  h = blocks_->forward(h);
  return dec_->forward(h);
}

CycleGanGenerators::CycleGanGenerators(const ResnetGeneratorOptions& options) {
  Generator gen(options.seed);
  ResnetGeneratorOptions reverse = options;
  std::swap(reverse.input_nc, reverse.output_nc);
  xy_ = register_module("g_xy", std::make_shared<ResnetGenerator>(options, gen));
  yx_ = register_module("g_yx", std::make_shared<ResnetGenerator>(reverse, gen));
}

OneWayGenerator::OneWayGenerator(const ResnetGeneratorOptions& options)
    : g_(register_module("g_xy", std::make_shared<ResnetGenerator>(options))) {}

Tensor OneWayGenerator::g_yx(const Tensor&) {
  REVGAN_FAIL("pix2pix has a single generator (input -> output); the reverse direction does not exist");
}

}  // namespace revgan::models
