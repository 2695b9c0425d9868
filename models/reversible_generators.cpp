// ReversibleGenerators: part registration and the shared core builder.
#include "models/reversible_generators.hpp"

#include <utility>
#include <vector>

#include "engine/reversible/additive_coupling.hpp"

namespace revgan::models {

void ReversibleGenerators::set_parts(std::shared_ptr<nn::Sequential> enc_x, std::shared_ptr<nn::Sequential> enc_y,
                                     std::shared_ptr<reversible::ReversibleSequence> core,
                                     std::shared_ptr<nn::Sequential> dec_x, std::shared_ptr<nn::Sequential> dec_y) {
  enc_x_ = register_module("enc_x", std::move(enc_x));
  enc_y_ = register_module("enc_y", std::move(enc_y));
  core_ = register_module("core", std::move(core));
  dec_x_ = register_module("dec_x", std::move(dec_x));
  dec_y_ = register_module("dec_y", std::move(dec_y));
}

Tensor ReversibleGenerators::run_xy(Tensor x) {
  Tensor h = enc_x_->forward(std::exchange(x, Tensor()));
  h = core_->forward(h);
  return dec_y_->forward(h);
}

Tensor ReversibleGenerators::run_yx(Tensor y) {
  Tensor h = enc_y_->forward(std::exchange(y, Tensor()));
  h = core_->inverse(h);
  return dec_x_->forward(h);
}

std::shared_ptr<reversible::ReversibleSequence> make_reversible_core(
    int64_t channels, int64_t depth, reversible::Mode mode, reversible::CouplingKind coupling,
    const std::function<std::shared_ptr<nn::Module>(int64_t half, int64_t out)>& make_branch) {
  REVGAN_CHECK(channels > 0 && channels % 2 == 0, "RevGAN core: channel count must be positive and even, got {}",
               channels);
  REVGAN_CHECK(depth >= 0, "RevGAN core: depth must be non-negative, got {}", depth);
  std::vector<std::shared_ptr<reversible::Coupling>> blocks;
  const int64_t half = channels / 2, out = reversible::branch_output_channels(coupling, half);
  for (int64_t i = 0; i < depth; ++i)
    blocks.push_back(reversible::make_coupling(coupling, make_branch(half, out), make_branch(half, out)));
  return std::make_shared<reversible::ReversibleSequence>(std::move(blocks), mode);
}

}  // namespace revgan::models
