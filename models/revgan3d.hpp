// The RevGAN 3D generator set for volumetric super-resolution (input and output on the same
// grid): trilinear up-sampling -> stem -> shared reversible core -> head, per direction; and
// two super-resolution variants (no instance norm; a global residual over the input).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/tensor/random.hpp"
#include "models/reversible_generators.hpp"

namespace revgan::models {

// Shape: input_nc, output_nc (1 by default), ngf (even; 32 by default: the core runs on K
// channels, F and G on K/2), depth R (6 by default).
struct RevGan3dOptions : ReversibleShape {
  RevGan3dOptions() {
    input_nc = output_nc = 1;
    ngf = 32;
    depth = 6;
  }
  // High-resolution grid (D, H, W) inputs are up-sampled to; empty: no up-sampling unless a
  // size is passed to g_xy / g_yx. An input already of that size is not resampled.
  std::vector<int64_t> output_size;
  // (The seed's weights are drawn as N(0, init_std), biases 0; then the core's last convs zeroed.)

  // Both true / false: the supplementary's generator.
  // IN after the stem and inside F and G. Without it nothing makes the output invariant to the
  // input patch's brightness and contrast (with it, G(a x + b) = G(x) for every a > 0, b).
  bool instance_norm = true;
  // G(x) = x + head(C(stem(x))) with the heads' weights and biases zeroed after the draws, so an
  // untrained G returns its (interpolated) input exactly. Needs input_nc == output_nc.
  bool global_residual = false;
};

// Children, in init order: enc_x, enc_y, core, dec_x, dec_y.
//   G_XY(x) = Dec_Y(C(Enc_X(up(x))))      G_YX(y) = Dec_X(C^-1(Enc_Y(up(y))))
// At initialisation C is exactly the identity (F and G output zeros). With global_residual,
//   G_XY(x) = up(x) + Dec_Y(C(Enc_X(up(x))))  and likewise G_YX, both the identity at first.
class RevGan3d : public ReversibleGenerators {
 public:
  explicit RevGan3d(const RevGan3dOptions& options);
  std::string type_name() const override { return "RevGan3d"; }

  Tensor g_xy(const Tensor& x) override { return g_xy(x, options_.output_size); }
  Tensor g_yx(const Tensor& y) override { return g_yx(y, options_.output_size); }
  // `size`: the grid to up-sample to (3 values), or empty for none.
  Tensor g_xy(const Tensor& x, const std::vector<int64_t>& size);
  Tensor g_yx(const Tensor& y, const std::vector<int64_t>& size);

  const RevGan3dOptions& options() const { return options_; }

 private:
  RevGan3dOptions options_;
};

}  // namespace revgan::models
