// What the RevGAN 2D and 3D generator sets share: per-domain encoders and decoders around ONE
// reversible core, G_XY(x) = Dec_Y(C(Enc_X(x))) and G_YX(y) = Dec_X(C^-1(Enc_Y(y))), with the
// core's executor switchable at run time. Subclasses build the parts and prepare inputs.
#pragma once

#include <functional>
#include <memory>

#include "engine/nn/sequential.hpp"
#include "engine/reversible/coupling_kind.hpp"
#include "engine/reversible/reversible_sequence.hpp"
#include "models/generator_pair.hpp"

namespace revgan::models {

// The shape of a reversible generator set: GeneratorShape plus the core's executor and coupling.
struct ReversibleShape : GeneratorShape {
  reversible::Mode mode = reversible::Mode::memory_saving;
  reversible::CouplingKind coupling = reversible::CouplingKind::additive;  // the paper's
};

class ReversibleGenerators : public GeneratorPair {
 public:
  // The core may be switched between executors at any time; the weights do not change.
  void set_mode(reversible::Mode mode) { core_->set_mode(mode); }
  reversible::Mode mode() const { return core_->mode(); }
  void set_memory_budget(int64_t bytes) override { core_->set_memory_budget(bytes); }
  void reset_memory_budget() override { core_->reset_budget(); }

  nn::Sequential& enc_x() { return *enc_x_; }
  nn::Sequential& enc_y() { return *enc_y_; }
  nn::Sequential& dec_x() { return *dec_x_; }
  nn::Sequential& dec_y() { return *dec_y_; }
  reversible::ReversibleSequence& core() { return *core_; }

 protected:
  // Registers the parts as children in init order: enc_x, enc_y, core, dec_x, dec_y.
  void set_parts(std::shared_ptr<nn::Sequential> enc_x, std::shared_ptr<nn::Sequential> enc_y,
                 std::shared_ptr<reversible::ReversibleSequence> core, std::shared_ptr<nn::Sequential> dec_x,
                 std::shared_ptr<nn::Sequential> dec_y);
  // One part at a time, so each part's input is dropped as soon as the next part has its output
  // (without gradients nothing else keeps it; models/generator_program.hpp mirrors this order).
  // The input is taken by value for the same reason: a prepared (e.g. up-sampled) input dies
  // once the encoder has read it.
  Tensor run_xy(Tensor x);
  Tensor run_yx(Tensor y);

 private:
  std::shared_ptr<nn::Sequential> enc_x_, enc_y_, dec_x_, dec_y_;
  std::shared_ptr<reversible::ReversibleSequence> core_;
};

// R coupling blocks of `coupling` kind on `channels` channels (even), F and G each from
// `make_branch(half, out)`: half = channels / 2 input channels, out = half (additive) or
// 2 x half (affine: scale logits and shifts) output channels.
std::shared_ptr<reversible::ReversibleSequence> make_reversible_core(
    int64_t channels, int64_t depth, reversible::Mode mode, reversible::CouplingKind coupling,
    const std::function<std::shared_ptr<nn::Module>(int64_t half, int64_t out)>& make_branch);

}  // namespace revgan::models
