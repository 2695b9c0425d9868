// The RevGAN 2D generator set: separate encoders and decoders per domain around ONE shared
// reversible core C, so G_XY(x) = Dec_Y(C(Enc_X(x))) and G_YX(y) = Dec_X(C^-1(Enc_Y(y))).
#pragma once

#include <cstdint>
#include <memory>

#include "engine/nn/sequential.hpp"
#include "engine/reversible/reversible_sequence.hpp"
#include "engine/tensor/random.hpp"
#include "models/generator_pair.hpp"

namespace revgan::models {

struct RevGan2dOptions {
  int64_t input_nc = 3;   // channels of domain X
  int64_t output_nc = 3;  // channels of domain Y
  int64_t ngf = 64;       // width K: the core runs on 4K channels
  int64_t depth = 9;      // R coupling blocks in the core
  reversible::Mode mode = reversible::Mode::memory_saving;
  DType dtype = DType::float32;
  uint64_t seed = 0;  // weights ~ N(0, init_std), biases 0, drawn in parameter-path order
  double init_std = 0.02;
};

// Children, in init order: enc_x, enc_y, core, dec_x, dec_y.
class RevGan2d : public GeneratorPair {
 public:
  explicit RevGan2d(const RevGan2dOptions& options);
  std::string type_name() const override { return "RevGan2d"; }

  Tensor g_xy(const Tensor& x) override;
  Tensor g_yx(const Tensor& y) override;

  // The core may be switched between executors at any time; the weights do not change.
  void set_mode(reversible::Mode mode) { core_->set_mode(mode); }
  reversible::Mode mode() const { return core_->mode(); }

  const RevGan2dOptions& options() const { return options_; }
  nn::Sequential& enc_x() { return *enc_x_; }
  nn::Sequential& enc_y() { return *enc_y_; }
  nn::Sequential& dec_x() { return *dec_x_; }
  nn::Sequential& dec_y() { return *dec_y_; }
  reversible::ReversibleSequence& core() { return *core_; }

 private:
  RevGan2dOptions options_;
  std::shared_ptr<nn::Sequential> enc_x_, enc_y_, dec_x_, dec_y_;
  std::shared_ptr<reversible::ReversibleSequence> core_;
};

// R coupling blocks on `channels` channels whose F and G are the 2D branch ending in IN.
std::shared_ptr<reversible::ReversibleSequence> make_revgan2d_core(int64_t channels, int64_t depth,
                                                                   reversible::Mode mode, DType dtype);

}  // namespace revgan::models
