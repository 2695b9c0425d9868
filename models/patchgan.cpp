// PatchGAN construction; the channel schedule follows pix2pix's NLayerDiscriminator so that
// n_layers 3 (2D) and 2 (3D) give the layer lists and parameter counts of the reference.
#include "models/patchgan.hpp"

#include <algorithm>

#include "engine/nn/init.hpp"
#include "engine/nn/layers.hpp"
#include "engine/tensor/random.hpp"

namespace revgan::models {

int64_t PatchGan::smallest_input(int64_t n_layers) {
  for (int64_t n = 1;; ++n) {
    int64_t s = n;
    for (int64_t i = 0; i < n_layers; ++i) s = s < 2 ? 0 : (s - 2) / 2 + 1;
    if (s - 2 >= 1) return n;
  }
}

PatchGan::PatchGan(const PatchGanOptions& options) : options_(options) {
  REVGAN_CHECK(options.dims == 2 || options.dims == 3, "PatchGan: dims must be 2 or 3, got {}", options.dims);
  REVGAN_CHECK(options.input_nc > 0 && options.ndf > 0, "PatchGan: input_nc and ndf must be positive, got {}, {}",
               options.input_nc, options.ndf);
  REVGAN_CHECK(options.n_layers >= 0, "PatchGan: n_layers must be non-negative, got {}", options.n_layers);
  n_layers_ = options.n_layers > 0 ? options.n_layers : (options.dims == 2 ? 3 : 2);
  const int d = options.dims;
  const DType dt = options.dtype;
  const int64_t k = 4, pad = 1;
  auto lrelu = [] { return std::make_shared<nn::LeakyReLU>(0.2); };

  model_ = register_module("model", std::make_shared<nn::Sequential>());
  model_->append(std::make_shared<nn::Conv>(d, options.input_nc, options.ndf, k, 2, pad, true, dt)).append(lrelu());
  int64_t mult = 1;
  for (int64_t n = 1; n <= n_layers_; ++n) {
    const int64_t prev = mult;
    mult = std::min<int64_t>(int64_t{1} << std::min<int64_t>(n, 3), 8);
    const int64_t stride = n < n_layers_ ? 2 : 1;  // the last stage keeps the resolution
    model_->append(std::make_shared<nn::Conv>(d, options.ndf * prev, options.ndf * mult, k, stride, pad, true, dt))
        .append(std::make_shared<nn::InstanceNorm>())
        .append(lrelu());
  }
  model_->append(std::make_shared<nn::Conv>(d, options.ndf * mult, 1, k, 1, pad, true, dt));
  if (options.sigmoid) model_->append(std::make_shared<nn::Sigmoid>());

  Generator gen(options.seed);
  nn::init_normal(*this, gen, options.init_std);
}

Tensor PatchGan::forward(const Tensor& x) {
  REVGAN_CHECK(x.defined() && x.dim() == options_.dims + 2 && x.size(1) == options_.input_nc,
               "PatchGan: expected input [N, {}, {}], got {}", options_.input_nc,
               options_.dims == 2 ? "H, W" : "D, H, W", x.defined() ? x.describe() : std::string("an undefined tensor"));
  return model_->forward(x);
}

}  // namespace revgan::models
