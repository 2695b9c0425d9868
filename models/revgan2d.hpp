// The RevGAN 2D generator set: separate encoders and decoders per domain around ONE shared
// reversible core C, so G_XY(x) = Dec_Y(C(Enc_X(x))) and G_YX(y) = Dec_X(C^-1(Enc_Y(y))).
#pragma once

#include <cstdint>
#include <memory>

#include "engine/tensor/random.hpp"
#include "models/reversible_generators.hpp"

namespace revgan::models {

// Shape: input_nc, output_nc, ngf (the core runs on 4K channels), depth R coupling blocks, the
// executor and the coupling.
struct RevGan2dOptions : ReversibleShape {};

// Children, in init order: enc_x, enc_y, core, dec_x, dec_y.
class RevGan2d : public ReversibleGenerators {
 public:
  explicit RevGan2d(const RevGan2dOptions& options);
  std::string type_name() const override { return "RevGan2d"; }

  Tensor g_xy(const Tensor& x) override;
  Tensor g_yx(const Tensor& y) override;

  const RevGan2dOptions& options() const { return options_; }

 private:
  RevGan2dOptions options_;
};

// R coupling blocks on `channels` channels whose F and G are the 2D branch ending in IN.
std::shared_ptr<reversible::ReversibleSequence> make_revgan2d_core(
    int64_t channels, int64_t depth, reversible::Mode mode, DType dtype,
    reversible::CouplingKind coupling = reversible::CouplingKind::additive);

}  // namespace revgan::models
