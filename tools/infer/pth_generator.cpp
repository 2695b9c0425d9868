// .pth generators: option checks, the pytorch-CycleGAN-and-pix2pix ResNet generator and the
// official RevGAN five-network layout, each loaded strictly through models/pytorch_names.
#include "tools/infer/pth_generator.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>

#include "engine/io/pth/pth_reader.hpp"
#include "models/pytorch_init.hpp"
#include "models/pytorch_names.hpp"
#include "models/resnet_generator.hpp"
#include "models/revgan2d.hpp"
#include "models/unet_generator.hpp"

namespace revgan::infer {

namespace {

using io::pth::StateDict;

// The --netG values of pytorch-CycleGAN-and-pix2pix this engine builds, and those it knows but
// does not build yet (so that the refusal can say so).
struct NetG {
  const char* name;
  int64_t blocks;
};
constexpr NetG k_generators[] = {{"resnet_9blocks", 9}, {"resnet_6blocks", 6}};

int64_t resnet_blocks(const PthGeneratorOptions& o) {
  for (const NetG& g : k_generators)
    if (o.netG == g.name) return g.blocks;
  REVGAN_FAIL(
      "--netG '{}' is not a generator of pytorch-CycleGAN-and-pix2pix this engine knows (resnet_9blocks, "
      "resnet_6blocks, unet_128, unet_256)",
      o.netG);
}

void check_common(const PthGeneratorOptions& o) {
  REVGAN_CHECK(o.norm == "instance",
               "--norm {}: the ResNet generators are supported with instance norm only (batch norm and 'none' are "
               "supported for unet_128 / unet_256)",
               o.norm);
  REVGAN_CHECK(o.ngf > 0 && o.input_nc > 0 && o.output_nc > 0,
               "--ngf, --input_nc and --output_nc must be positive, got {}, {}, {}", o.ngf, o.input_nc, o.output_nc);
}

std::string options_text(const PthGeneratorOptions& o) {
  return fmt::format("--netG {} --ngf {} --input_nc {} --output_nc {}", o.netG, o.ngf, o.input_nc, o.output_nc);
}

// What the keys and shapes of a pytorch-CycleGAN ResnetGenerator state dict say about its options.
std::string resnet_file_hint(const StateDict& s) {
  const io::pth::StoredTensor* first = s.find("model.1.weight");
  if (first == nullptr || first->shape.size() != 4) return "the file does not look like a ResnetGenerator";
  int64_t blocks = 0;
  bool dropout = false;
  while (s.find(fmt::format("model.{}.conv_block.1.weight", 10 + blocks)) != nullptr) {
    dropout = dropout || s.find(fmt::format("model.{}.conv_block.6.weight", 10 + blocks)) != nullptr;
    ++blocks;
  }
  const io::pth::StoredTensor* last = s.find(fmt::format("model.{}.weight", 10 + blocks + 7));
  std::string hint =
      fmt::format("the file looks like --netG resnet_{}blocks --ngf {} --input_nc {} --output_nc {}", blocks,
                  first->shape[0], first->shape[1], last != nullptr && !last->shape.empty() ? last->shape[0] : -1);
  if (s.find("model.2.weight") != nullptr) hint += " with --norm batch";
  if (dropout) hint += " with dropout in its residual blocks";
  return hint;
}

// `model` is the training model whose traits fit (pix2pix: one way, revgan_unpaired: both).
PthGenerators result(std::shared_ptr<models::GeneratorPair> generators, const char* model, const PthGeneratorOptions& o,
                     int64_t depth, std::string description) {
  PthGenerators out;
  out.generators = std::move(generators);
  out.options.model = model;
  out.options.input_nc = o.input_nc;
  out.options.output_nc = o.output_nc;
  out.options.ngf = o.ngf;
  out.options.depth = depth;
  out.description = std::move(description);
  return out;
}

// What the keys and shapes of a UnetGenerator state dict say about its options.
std::string unet_file_hint(const StateDict& s) {
  const io::pth::StoredTensor* first = s.find("model.model.0.weight");
  if (first == nullptr || first->shape.size() != 4) return "the file does not look like a UnetGenerator";
  int64_t downs = 1;
  std::string prefix = "model.model.1.";
  while (s.find(prefix + "model.1.weight") != nullptr) {
    ++downs;
    prefix += "model.3.";
  }
  const bool batch = s.find("model.model.1.model.2.running_mean") != nullptr;
  const bool bias = s.find("model.model.0.bias") != nullptr;
  return fmt::format("the file looks like --netG unet_{} --ngf {} --input_nc {} --norm {}", int64_t{1} << downs,
                     first->shape[0], first->shape[1], batch ? "batch" : (bias ? "instance" : "none"));
}

PthGenerators load_unet(const std::filesystem::path& path, const PthGeneratorOptions& o, int64_t downs) {
  REVGAN_CHECK(o.norm == "batch" || o.norm == "instance" || o.norm == "none",
               "--norm {}: must be batch, instance or none", o.norm);
  REVGAN_CHECK(o.ngf > 0 && o.input_nc > 0 && o.output_nc > 0,
               "--ngf, --input_nc and --output_nc must be positive, got {}, {}, {}", o.ngf, o.input_nc, o.output_nc);
  const io::pth::PthContents contents = io::pth::read_pth(path.string());
  models::UnetGeneratorOptions g;
  g.input_nc = o.input_nc;
  g.output_nc = o.output_nc;
  g.ngf = o.ngf;
  g.num_downs = downs;
  g.norm = o.norm;
  g.use_dropout = !o.no_dropout && !o.eval;
  auto pair = std::make_shared<models::OneWayUnet>(g);
  const auto& generator = dynamic_cast<const models::UnetGenerator&>(pair->submodule("g_xy"));
  io::pth::load_state_dict(
      *pair, contents.state, models::pix2pix_unet_names(generator, "g_xy."), path.string(),
      fmt::format("built with {} --norm {}; {}", options_text(o), o.norm, unet_file_hint(contents.state)));
  PthGenerators out = result(
      pair, "pix2pix", o, downs,
      fmt::format("pytorch-CycleGAN-and-pix2pix {} (--norm {}{}{}), {} file", o.netG, o.norm, o.eval ? ", --eval" : "",
                  g.use_dropout ? ", dropout on" : "", io::pth::format_name(contents.format)));
  out.training_mode = !o.eval;
  return out;
}

PthGenerators load_pix2pix(const std::filesystem::path& path, const PthGeneratorOptions& o, bool x_to_y) {
  REVGAN_CHECK(x_to_y,
               "'{}' holds one generator of pytorch-CycleGAN-and-pix2pix: it translates the way it was "
               "trained (use --direction AtoB; for B -> A pass its G_B file)",
               path.string());
  if (const int64_t downs = models::unet_num_downs(o.netG); downs > 0) return load_unet(path, o, downs);
  check_common(o);
  const int64_t blocks = resnet_blocks(o);
  REVGAN_CHECK(o.no_dropout,
               "without --no_dropout, pytorch-CycleGAN-and-pix2pix builds its residual blocks with Dropout(0.5), which "
               "this engine's ResNet generator does not have; CycleGAN models are trained without dropout: pass "
               "--no_dropout, as their test.py needs too");
  const io::pth::PthContents contents = io::pth::read_pth(path.string());

  models::ResnetGeneratorOptions g;
  g.input_nc = o.input_nc;
  g.output_nc = o.output_nc;
  g.ngf = o.ngf;
  g.depth = blocks;
  auto pair = std::make_shared<models::OneWayGenerator>(g);
  const auto& generator = dynamic_cast<const models::ResnetGenerator&>(pair->submodule("g_xy"));
  io::pth::load_state_dict(*pair, contents.state, models::pix2pix_resnet_names(generator, "g_xy."), path.string(),
                           fmt::format("built with {}; {}", options_text(o), resnet_file_hint(contents.state)));

  return result(pair, "pix2pix", o, blocks,
                fmt::format("pytorch-CycleGAN-and-pix2pix {}, {} file", o.netG, io::pth::format_name(contents.format)));
}

PthGenerators load_revgan(const std::filesystem::path& prefix, const PthGeneratorOptions& o, bool x_to_y) {
  check_common(o);
  models::RevGan2dOptions g;
  g.input_nc = o.input_nc;
  g.output_nc = o.output_nc;
  g.ngf = o.ngf;
  g.depth = resnet_blocks(o);
  auto net = std::make_shared<models::RevGan2d>(g);
  using models::RevganPart;
  const std::array<RevganPart, 3> parts =
      x_to_y ? std::array{RevganPart::G_A_enc, RevganPart::G_core, RevganPart::G_A_dec}
             : std::array{RevganPart::G_B_enc, RevganPart::G_core, RevganPart::G_B_dec};
  std::string formats;
  for (const RevganPart part : parts) {
    const std::string file = fmt::format("{}_net_{}.pth", prefix.string(), models::revgan_part_name(part));
    const io::pth::PthContents contents = io::pth::read_pth(file);
    io::pth::load_state_dict(
        *net, contents.state, models::revgan_official_names(*net, part), file,
        fmt::format("built as the official RevGAN {} with {}", models::revgan_part_name(part), options_text(o)));
    formats += fmt::format("{}{}", formats.empty() ? "" : "/", io::pth::format_name(contents.format));
  }
  return result(net, "revgan_unpaired", o, g.depth, fmt::format("official RevGAN {} ({} files)", o.netG, formats));
}

}  // namespace

const OptionTable<PthGeneratorOptions>& pth_generator_option_table() {
  using O = PthGeneratorOptions;
  static const OptionTable<O> table({
      {"netG", &O::netG,
       ".pth checkpoints: the generator architecture, pytorch-CycleGAN-and-pix2pix's name "
       "(resnet_9blocks | resnet_6blocks | unet_128 | unet_256)",
       nullptr, "NAME"},
      {"ngf", &O::ngf, ".pth: generator filters in the first conv layer", nullptr, "N"},
      {"norm", &O::norm, ".pth: normalisation of the generator (instance; U-Net: batch | instance | none)", nullptr,
       "NAME"},
      {"no_dropout", &O::no_dropout,
       ".pth: the generator has no dropout (required for the ResNet generators; U-Net without it: dropout on "
       "unless --eval, as their test.py)"},
      {"eval", &O::eval,
       ".pth: their test.py --eval: batch norm uses running statistics, no dropout (without it: batch "
       "statistics of each image)"},
      {"input_nc", &O::input_nc, ".pth: input image channels", nullptr, "N"},
      {"output_nc", &O::output_nc, ".pth: output image channels", nullptr, "N"},
  });
  return table;
}

bool is_pth_checkpoint(const std::filesystem::path& path) {
  const std::string ext = path.extension().string();
  return ext == ".pth" || ext == ".pt";
}

PthGenerators load_pth_generators(const std::filesystem::path& path, const PthGeneratorOptions& options, bool x_to_y) {
  if (const auto prefix = models::revgan_official_prefix(path)) return load_revgan(*prefix, options, x_to_y);
  return load_pix2pix(path, options, x_to_y);
}

Translator translator_from_pth(const std::filesystem::path& path, const PthGeneratorOptions& options, bool x_to_y,
                               Device device) {
  const PthGenerators loaded = load_pth_generators(path, options, x_to_y);
  Translator translator(loaded.generators, loaded.options, x_to_y, device);
  if (loaded.training_mode) translator.use_training_mode();
  return translator;
}

}  // namespace revgan::infer
