// The U-Net generator: blocks built innermost first, as UnetGenerator does, and the skip
// concatenation of each non-outermost block.
#include "models/unet_generator.hpp"

#include "engine/nn/init.hpp"
#include "engine/nn/layers.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/channels.hpp"
#include "engine/tensor/factory.hpp"

namespace revgan::models {

namespace {

std::shared_ptr<nn::Module> make_norm(const UnetGeneratorOptions& o, int64_t channels) {
  if (o.norm == "batch") return std::make_shared<nn::BatchNorm>(channels, 1e-5, 0.1, true, o.dtype);
  if (o.norm == "instance") return std::make_shared<nn::InstanceNorm>();
  return std::make_shared<nn::Identity>();
}

// One UnetSkipConnectionBlock(outer_nc, inner_nc, input_nc, submodule, ...).
std::shared_ptr<UnetBlock> make_block(const UnetGeneratorOptions& o, int64_t outer_nc, int64_t inner_nc,
                                      int64_t input_nc, std::shared_ptr<UnetBlock> sub, bool outermost, bool dropout,
                                      uint64_t dropout_seed) {
  const bool bias = o.norm == "instance";
  auto seq = std::make_shared<nn::Sequential>();
  auto down = std::make_shared<nn::Conv>(2, input_nc, inner_nc, 4, 2, 1, bias, o.dtype);
  if (outermost) {
    seq->append(down);
    seq->append(sub);
    seq->append(std::make_shared<nn::ReLU>());
    seq->append(std::make_shared<nn::ConvTranspose>(2, inner_nc * 2, outer_nc, 4, 2, 1, 0, true, o.dtype));
    seq->append(std::make_shared<nn::Tanh>());
  } else if (sub == nullptr) {
    seq->append(std::make_shared<nn::LeakyReLU>(0.2));
    seq->append(down);
    seq->append(std::make_shared<nn::ReLU>());
    seq->append(std::make_shared<nn::ConvTranspose>(2, inner_nc, outer_nc, 4, 2, 1, 0, bias, o.dtype));
    seq->append(make_norm(o, outer_nc));
  } else {
    seq->append(std::make_shared<nn::LeakyReLU>(0.2));
    seq->append(down);
    seq->append(make_norm(o, inner_nc));
    seq->append(sub);
    seq->append(std::make_shared<nn::ReLU>());
    seq->append(std::make_shared<nn::ConvTranspose>(2, inner_nc * 2, outer_nc, 4, 2, 1, 0, bias, o.dtype));
    seq->append(make_norm(o, outer_nc));
    if (dropout) seq->append(std::make_shared<nn::Dropout>(0.5, dropout_seed));
  }
  return std::make_shared<UnetBlock>(outermost, seq);
}

}  // namespace

int64_t unet_num_downs(const std::string& netG) {
  if (netG == "unet_128") return 7;
  if (netG == "unet_256") return 8;
  return 0;
}

Tensor UnetBlock::forward(const Tensor& x) {
  auto& seq = static_cast<nn::Sequential&>(submodule("model"));
  if (outermost_) return seq.forward(x);
  // Their in-place LeakyReLU turns x itself into the activated input, which the skip carries.
  Tensor h = seq.at(0).forward(x);
  Tensor u = h;
  for (int64_t i = 1; i < seq.size(); ++i) u = seq.at(i).forward(u);
  return ops::concat_channels({h, u});
}

UnetGenerator::UnetGenerator(const UnetGeneratorOptions& o) : options_(o) {
  REVGAN_CHECK(o.num_downs >= 5, "UnetGenerator: num_downs must be at least 5, got {}", o.num_downs);
  REVGAN_CHECK(o.norm == "batch" || o.norm == "instance" || o.norm == "none",
               "UnetGenerator: norm must be batch, instance or none, got '{}'", o.norm);
  REVGAN_CHECK(o.ngf > 0 && o.input_nc > 0 && o.output_nc > 0,
               "UnetGenerator: ngf, input_nc and output_nc must be positive, got {}, {}, {}", o.ngf, o.input_nc,
               o.output_nc);
  const int64_t f = o.ngf;
  auto block = make_block(o, 8 * f, 8 * f, 8 * f, nullptr, false, false, 0);
  for (int64_t i = 0; i < o.num_downs - 5; ++i)
    block = make_block(o, 8 * f, 8 * f, 8 * f, block, false, o.use_dropout,
                       o.seed * 1000003 + static_cast<uint64_t>(i) + 1);
  block = make_block(o, 4 * f, 8 * f, 4 * f, block, false, false, 0);
  block = make_block(o, 2 * f, 4 * f, 2 * f, block, false, false, 0);
  block = make_block(o, f, 2 * f, f, block, false, false, 0);
  model_ = register_module("model", make_block(o, o.output_nc, f, o.input_nc, block, true, false, 0));

  // Their init_weights('normal', 0.02): conv weights N(0, 0.02), biases 0, batch norm weights
  // N(1, 0.02) and biases 0.
  Generator gen(o.seed);
  nn::init_normal(*this, gen, 0.02);
  for (auto& [path, m] : named_modules())
    if (auto* bn = dynamic_cast<nn::BatchNorm*>(m); bn != nullptr && bn->affine()) {
      Tensor w = bn->parameter("weight");
      w.copy_from(ops::add(w.detach(), ops::full(w.shape(), 1.0, w.dtype(), w.device())));
    }
}

Tensor UnetGenerator::forward(const Tensor& x) {
  const int64_t multiple = int64_t{1} << options_.num_downs;
  REVGAN_CHECK(x.dim() == 4 && x.size(1) == options_.input_nc, "UnetGenerator: input must be [N, {}, H, W], got {}",
               options_.input_nc, x.shape().str());
  REVGAN_CHECK(x.size(2) % multiple == 0 && x.size(3) % multiple == 0,
               "UnetGenerator: height and width must be multiples of 2^num_downs = {} (unet_{}), got {}x{}", multiple,
               multiple, x.size(2), x.size(3));
  return model_->forward(x);
}

OneWayUnet::OneWayUnet(const UnetGeneratorOptions& options) {
  g_ = register_module("g_xy", std::make_shared<UnetGenerator>(options));
}

Tensor OneWayUnet::g_yx(const Tensor&) {
  REVGAN_FAIL("OneWayUnet: a pix2pix U-Net translates one way only (X -> Y)");
}

}  // namespace revgan::models
