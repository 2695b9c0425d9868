// RevGAN 3D generator set. Stem and head pad by reflection like F and G (the supplementary
// asks for reflection padding of 1 in the blocks), so no layer sees zero-filled borders and
// every 3x3x3 conv preserves the volume size.
#include "models/revgan3d.hpp"

#include <string>

#include "engine/nn/init.hpp"
#include "engine/nn/layers.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/upsample.hpp"
#include "models/blocks.hpp"

namespace revgan::models {

namespace {

// ReflectionPad 1 -> Conv3d 3x3x3 (in -> K) -> IN (or identity) -> ReLU.
std::shared_ptr<nn::Sequential> make_stem(int64_t in_nc, int64_t k, bool instance_norm, DType dtype) {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::ReflectionPad>(1), std::make_shared<nn::Conv>(3, in_nc, k, 3, 1, 0, true, dtype),
      make_norm(instance_norm), std::make_shared<nn::ReLU>()});
}

// ReflectionPad 1 -> Conv3d 3x3x3 (K -> out). No output activation: the supplementary names
// none for the 3D head, and intensities of volumes need not lie in [-1, 1].
std::shared_ptr<nn::Sequential> make_head(int64_t k, int64_t out_nc, DType dtype) {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::ReflectionPad>(1), std::make_shared<nn::Conv>(3, k, out_nc, 3, 1, 0, true, dtype)});
}

Tensor prepare_input(const char* where, const Tensor& v, int64_t channels, const std::vector<int64_t>& size) {
  REVGAN_CHECK(v.defined() && v.dim() == 5 && v.size(1) == channels, "{}: expected input [N, {}, D, H, W], got {}",
               where, channels, v.defined() ? v.describe() : std::string("an undefined tensor"));
  if (size.empty()) return v;
  REVGAN_CHECK(size.size() == 3, "{}: the up-sampling size must hold 3 values (D, H, W), got {}", where, size.size());
  if (v.size(2) == size[0] && v.size(3) == size[1] && v.size(4) == size[2]) return v;
  return ops::upsample_linear(v, size);
}

}  // namespace

RevGan3d::RevGan3d(const RevGan3dOptions& options) : options_(options) {
  REVGAN_CHECK(options.input_nc > 0 && options.output_nc > 0,
               "RevGan3d: input_nc and output_nc must be positive, got {}, {}", options.input_nc, options.output_nc);
  REVGAN_CHECK(options.ngf > 0 && options.ngf % 2 == 0, "RevGan3d: ngf must be positive and even, got {}",
               options.ngf);
  REVGAN_CHECK(options.depth >= 0, "RevGan3d: depth must be non-negative, got {}", options.depth);
  REVGAN_CHECK(options.output_size.empty() || options.output_size.size() == 3,
               "RevGan3d: output_size must be empty or hold 3 values (D, H, W), got {}", options.output_size.size());
  REVGAN_CHECK(!options.global_residual || options.input_nc == options.output_nc,
               "RevGan3d: a global residual adds the input to the output, so input_nc ({}) must equal output_nc ({})",
               options.input_nc, options.output_nc);
  const int64_t k = options.ngf;
  const DType dt = options.dtype;
  const bool in = options.instance_norm;
  set_parts(make_stem(options.input_nc, k, in, dt), make_stem(options.output_nc, k, in, dt),
            make_reversible_core(k, options.depth, options.mode, options.coupling,
                                 [&](int64_t half, int64_t out) { return make_conv_branch(3, half, false, dt, out, in); }),
            make_head(k, options.input_nc, dt), make_head(k, options.output_nc, dt));
  Generator gen(options.seed);
  nn::init_normal(*this, gen, options.init_std);
  // Zeroing after the draws keeps the other weights identical to a plain N(0, std) init.
  for (const auto& block : core().blocks()) {
    for (nn::Module* branch : {&block->f(), &block->g()})
      nn::init_zeros(branch->submodule(std::to_string(last_conv_index)));
  }
  if (options.global_residual)
    for (nn::Sequential* head : {&dec_x(), &dec_y()}) nn::init_zeros(*head);
}

Tensor RevGan3d::g_xy(const Tensor& x, const std::vector<int64_t>& size) {
  const Tensor input = prepare_input("RevGan3d::g_xy", x, options_.input_nc, size);
  const Tensor out = run_xy(input);
  return options_.global_residual ? ops::add(input, out) : out;
}

Tensor RevGan3d::g_yx(const Tensor& y, const std::vector<int64_t>& size) {
  const Tensor input = prepare_input("RevGan3d::g_yx", y, options_.output_nc, size);
  const Tensor out = run_yx(input);
  return options_.global_residual ? ops::add(input, out) : out;
}

}  // namespace revgan::models
