// RevGAN 2D generator set: construction, seeded init and the two directions.
#include "models/revgan2d.hpp"

#include <vector>

#include "engine/nn/init.hpp"
#include "models/blocks.hpp"

namespace revgan::models {

std::shared_ptr<reversible::ReversibleSequence> make_revgan2d_core(int64_t channels, int64_t depth,
                                                                   reversible::Mode mode, DType dtype,
                                                                   reversible::CouplingKind coupling) {
  return make_reversible_core(channels, depth, mode, coupling, [&](int64_t half, int64_t out) {
    return make_conv_branch(2, half, true, dtype, out);
  });
}

RevGan2d::RevGan2d(const RevGan2dOptions& options) : options_(options) {
  REVGAN_CHECK(options.input_nc > 0 && options.output_nc > 0 && options.ngf > 0,
               "RevGan2d: input_nc, output_nc and ngf must be positive, got {}, {}, {}", options.input_nc,
               options.output_nc, options.ngf);
  const int64_t k = options.ngf;
  set_parts(make_encoder(options.input_nc, k, options.dtype), make_encoder(options.output_nc, k, options.dtype),
            make_revgan2d_core(4 * k, options.depth, options.mode, options.dtype, options.coupling),
            make_decoder(k, options.input_nc, options.dtype), make_decoder(k, options.output_nc, options.dtype));
  Generator gen(options.seed);
  nn::init_normal(*this, gen, options.init_std);
}

Tensor RevGan2d::g_xy(const Tensor& x) {
  check_image_input("RevGan2d::g_xy", x, options_.input_nc);
  return run_xy(x);
}

Tensor RevGan2d::g_yx(const Tensor& y) {
  check_image_input("RevGan2d::g_yx", y, options_.output_nc);
  return run_yx(y);
}

}  // namespace revgan::models
