// The RevGAN 3D generator set for volumetric super-resolution (input and output on the same
// grid): trilinear up-sampling -> stem -> shared reversible core -> head, per direction.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/nn/sequential.hpp"
#include "engine/reversible/reversible_sequence.hpp"
#include "engine/tensor/random.hpp"
#include "models/generator_pair.hpp"

namespace revgan::models {

struct RevGan3dOptions {
  int64_t input_nc = 1;   // channels of domain X
  int64_t output_nc = 1;  // channels of domain Y
  int64_t ngf = 32;       // width K (even): the core runs on K channels, F and G on K/2
  int64_t depth = 6;      // R coupling blocks in the core
  // High-resolution grid (D, H, W) inputs are up-sampled to; empty: no up-sampling unless a
  // size is passed to g_xy / g_yx. An input already of that size is not resampled.
  std::vector<int64_t> output_size;
  reversible::Mode mode = reversible::Mode::memory_saving;
  DType dtype = DType::float32;
  uint64_t seed = 0;  // weights ~ N(0, init_std), biases 0; then the core's last convs zeroed
  double init_std = 0.02;
};

// Children, in init order: enc_x, enc_y, core, dec_x, dec_y.
//   G_XY(x) = Dec_Y(C(Enc_X(up(x))))      G_YX(y) = Dec_X(C^-1(Enc_Y(up(y))))
// At initialisation C is exactly the identity (F and G output zeros).
class RevGan3d : public GeneratorPair {
 public:
  explicit RevGan3d(const RevGan3dOptions& options);
  std::string type_name() const override { return "RevGan3d"; }

  Tensor g_xy(const Tensor& x) override { return g_xy(x, options_.output_size); }
  Tensor g_yx(const Tensor& y) override { return g_yx(y, options_.output_size); }
  // `size`: the grid to up-sample to (3 values), or empty for none.
  Tensor g_xy(const Tensor& x, const std::vector<int64_t>& size);
  Tensor g_yx(const Tensor& y, const std::vector<int64_t>& size);

  void set_mode(reversible::Mode mode) { core_->set_mode(mode); }
  reversible::Mode mode() const { return core_->mode(); }

  const RevGan3dOptions& options() const { return options_; }
  nn::Sequential& enc_x() { return *enc_x_; }
  nn::Sequential& enc_y() { return *enc_y_; }
  nn::Sequential& dec_x() { return *dec_x_; }
  nn::Sequential& dec_y() { return *dec_y_; }
  reversible::ReversibleSequence& core() { return *core_; }

 private:
  RevGan3dOptions options_;
  std::shared_ptr<nn::Sequential> enc_x_, enc_y_, dec_x_, dec_y_;
  std::shared_ptr<reversible::ReversibleSequence> core_;
};

}  // namespace revgan::models
