// PatchGAN construction; the channel schedules follow pix2pix's NLayerDiscriminator (n_layers 3
// in 2D and 2 in 3D give the layer lists and parameter counts of the reference) and
// PixelDiscriminator (with instance norm, so every conv has a bias, as their use_bias).
#include "models/patchgan.hpp"

#include <algorithm>

#include "engine/nn/init.hpp"
#include "engine/nn/layers.hpp"
#include "engine/tensor/random.hpp"

namespace revgan::models {

namespace {

int64_t default_n_layers(const PatchGanOptions& o) {
  if (o.arch == PatchGanArch::pixel) return 0;
  return o.n_layers > 0 ? o.n_layers : (o.dims == 2 ? 3 : 2);
}

std::shared_ptr<nn::Module> lrelu() {
  return std::make_shared<nn::LeakyReLU>(0.2);
}

void build_n_layers(nn::Sequential& model, const PatchGanOptions& o, int64_t n_layers) {
  const int d = o.dims;
  const int64_t k = 4, pad = 1;
  model.append(std::make_shared<nn::Conv>(d, o.input_nc, o.ndf, k, 2, pad, true, o.dtype)).append(lrelu());
  int64_t mult = 1;
  for (int64_t n = 1; n <= n_layers; ++n) {
    const int64_t prev = mult;
    mult = std::min<int64_t>(int64_t{1} << std::min<int64_t>(n, 3), 8);
    const int64_t stride = n < n_layers ? 2 : 1;  // the last stage keeps the resolution
    model.append(std::make_shared<nn::Conv>(d, o.ndf * prev, o.ndf * mult, k, stride, pad, true, o.dtype))
        .append(std::make_shared<nn::InstanceNorm>())
        .append(lrelu());
  }
  model.append(std::make_shared<nn::Conv>(d, o.ndf * mult, 1, k, 1, pad, true, o.dtype));
}

void build_pixel(nn::Sequential& net, const PatchGanOptions& o) {
  const int d = o.dims;
  net.append(std::make_shared<nn::Conv>(d, o.input_nc, o.ndf, 1, 1, 0, true, o.dtype))
      .append(lrelu())
      .append(std::make_shared<nn::Conv>(d, o.ndf, 2 * o.ndf, 1, 1, 0, true, o.dtype))
      .append(std::make_shared<nn::InstanceNorm>())
      .append(lrelu())
      .append(std::make_shared<nn::Conv>(d, 2 * o.ndf, 1, 1, 1, 0, true, o.dtype));
}

}  // namespace

PatchGanArch parse_patchgan_arch(const std::string& netD) {
  if (netD == "n_layers") return PatchGanArch::n_layers;
  if (netD == "pixel") return PatchGanArch::pixel;
  REVGAN_FAIL("PatchGan: discriminator '{}' is not n_layers or pixel", netD);
}

int64_t PatchGan::smallest_input(const PatchGanOptions& options) {
  if (options.arch == PatchGanArch::pixel) return 1;
  const int64_t n_layers = default_n_layers(options);
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
  n_layers_ = default_n_layers(options);
  body_ = register_module(body_name(), std::make_shared<nn::Sequential>());
  if (options.arch == PatchGanArch::pixel)
    build_pixel(*body_, options);
  else
    build_n_layers(*body_, options, n_layers_);
  if (options.sigmoid) body_->append(std::make_shared<nn::Sigmoid>());

  Generator gen(options.seed);
  nn::init_normal(*this, gen, options.init_std);
}

const char* PatchGan::body_name() const {
  return options_.arch == PatchGanArch::pixel ? "net" : "model";
}

Tensor PatchGan::forward(const Tensor& x) {
  REVGAN_CHECK(x.defined() && x.dim() == options_.dims + 2 && x.size(1) == options_.input_nc,
               "PatchGan: expected input [N, {}, {}], got {}", options_.input_nc,
               options_.dims == 2 ? "H, W" : "D, H, W",
               x.defined() ? x.describe() : std::string("an undefined tensor"));
  return body_->forward(x);
}

}  // namespace revgan::models
