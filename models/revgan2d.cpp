// RevGAN 2D generator set: construction, seeded init and the two directions.
#include "models/revgan2d.hpp"

#include <vector>

#include "engine/nn/init.hpp"
#include "models/blocks.hpp"

namespace revgan::models {

std::shared_ptr<reversible::ReversibleSequence> make_revgan2d_core(int64_t channels, int64_t depth,
                                                                   reversible::Mode mode, DType dtype) {
  REVGAN_CHECK(channels > 0 && channels % 2 == 0, "RevGAN core: channel count must be positive and even, got {}",
               channels);
  REVGAN_CHECK(depth >= 0, "RevGAN core: depth must be non-negative, got {}", depth);
  std::vector<std::shared_ptr<reversible::AdditiveCoupling>> blocks;
  for (int64_t i = 0; i < depth; ++i)
    blocks.push_back(std::make_shared<reversible::AdditiveCoupling>(make_conv_branch(2, channels / 2, true, dtype),
                                                                    make_conv_branch(2, channels / 2, true, dtype)));
  return std::make_shared<reversible::ReversibleSequence>(std::move(blocks), mode);
}

RevGan2d::RevGan2d(const RevGan2dOptions& options) : options_(options) {
  REVGAN_CHECK(options.input_nc > 0 && options.output_nc > 0 && options.ngf > 0,
               "RevGan2d: input_nc, output_nc and ngf must be positive, got {}, {}, {}", options.input_nc,
               options.output_nc, options.ngf);
  const int64_t k = options.ngf;
  enc_x_ = register_module("enc_x", make_encoder(options.input_nc, k, options.dtype));
  enc_y_ = register_module("enc_y", make_encoder(options.output_nc, k, options.dtype));
  core_ = register_module("core", make_revgan2d_core(4 * k, options.depth, options.mode, options.dtype));
  dec_x_ = register_module("dec_x", make_decoder(k, options.input_nc, options.dtype));
  dec_y_ = register_module("dec_y", make_decoder(k, options.output_nc, options.dtype));
  Generator gen(options.seed);
  nn::init_normal(*this, gen, options.init_std);
}

// One part at a time, so each part's input is dropped as soon as the next part has its output
// (without gradients nothing else keeps it; models/generator_program.hpp mirrors this order).
Tensor RevGan2d::g_xy(const Tensor& x) {
  check_image_input("RevGan2d::g_xy", x, options_.input_nc);
  Tensor h = enc_x_->forward(x);
  h = core_->forward(h);
  return dec_y_->forward(h);
}

Tensor RevGan2d::g_yx(const Tensor& y) {
  check_image_input("RevGan2d::g_yx", y, options_.output_nc);
  Tensor h = enc_y_->forward(y);
  h = core_->inverse(h);
  return dec_x_->forward(h);
}

}  // namespace revgan::models
