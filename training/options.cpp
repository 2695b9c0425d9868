// The option table drives everything: command line, config files, JSON and --help cannot
// disagree about names, types or defaults because they all walk the same list.
#include "training/options.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <variant>

#include "data/dataset.hpp"
#include "data/volume/interpolation.hpp"
#include "data/volume/volume.hpp"
#include "engine/memory/available_memory.hpp"
#include "engine/reversible/reversible_sequence.hpp"
#include "engine/core/byte_size.hpp"
#include "engine/reversible/coupling_kind.hpp"
#include "engine/core/check.hpp"
#include "engine/core/device.hpp"
#include "engine/core/option_table.hpp"
#include "training/flat_json.hpp"

namespace revgan::training {

namespace {

using Spec = OptionSpec<TrainOptions>;

// The options whose value changes the networks: their parameters (names, counts or shapes) or
// the function the same parameters compute.
bool shapes_networks(std::string_view name) {
  static constexpr std::string_view names[] = {"model",    "input_nc", "output_nc",      "ngf",
                                               "ndf",      "depth",    "netD",           "n_layers_D",
                                               "coupling", "norm",     "global_residual"};
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

}  // namespace

const OptionTable<TrainOptions>& train_option_table() {
  using O = TrainOptions;
  static const OptionTable<TrainOptions> table({
      {"dataroot", &O::dataroot,
       "dataset folder (trainA/trainB for unaligned, train/ of A|B images for aligned; 3D models: a folder of "
       "high-resolution volumes, or A/ (low-res) + B/ (high-res) pairs)"},
      {"name", &O::name, "experiment name: checkpoints and logs go to checkpoints_dir/name"},
      {"checkpoints_dir", &O::checkpoints_dir, "where experiments are stored"},
      {"dataset_mode", &O::dataset_mode, "aligned | unaligned (2D models; 3D models read volumes)",
       "aligned for paired models, unaligned otherwise"},
      {"phase", &O::phase, "dataset sub-folder prefix (train -> train/, trainA/, trainB/)"},
      {"model", &O::model,
       "revgan_unpaired | revgan_paired | cyclegan | pix2pix | revgan3d_paired | revgan3d_unpaired"},
      {"direction", &O::direction, "AtoB or BtoA: which dataset half is the input"},
      {"input_nc", &O::input_nc, "channels of the input images (1 or 3 for image files)"},
      {"output_nc", &O::output_nc, "channels of the output images"},
      {"ngf", &O::ngf, "generator width K (the core / residual blocks run on 4K channels in 2D)"},
      {"ndf", &O::ndf, "discriminator width"},
      {"depth", &O::depth, "reversible (RevGAN) or residual (ResNet) blocks", "9 for 2D models, 6 for 3D"},
      {"netG", &O::netG,
       "pix2pix: unet_128 | unet_256 for pytorch-CycleGAN-and-pix2pix's U-Net (batch norm, dropout), whole crops "
       "of 128 / 256; default: our ResNet generator",
       "ResNet", "NAME"},
      {"no_dropout", &O::no_dropout, "U-Net (--netG unet_*): no Dropout(0.5) in its inner blocks"},
      {"netD", &O::netD,
       "discriminator, pytorch-CycleGAN-and-pix2pix's names: n_layers (PatchGAN with n_layers_D stride-2 stages), "
       "basic (n_layers with n_layers_D 3) or pixel (1x1 convs, one logit per pixel; PixelDiscriminator)",
       nullptr, "basic|n_layers|pixel"},
      {"n_layers_D", &O::n_layers_D, "stride-2 stages of the PatchGAN discriminator (--netD n_layers; unused by pixel)",
       "3 for 2D, 2 for 3D"},
      {"memory_saving", &O::memory_saving,
       "RevGAN: recompute core activations in the backward (--no_memory_saving stores them)"},
      {"norm", &O::norm,
       "generator normalisation: instance (the paper's) or none (3D models only: no instance norm after the stem "
       "and inside F and G, so the output follows the input's brightness instead of each patch's statistics)"},
      {"global_residual", &O::global_residual,
       "3D models: the generator adds its correction to its (interpolated) input, G(x) = x + head(core(stem(x))), "
       "and the head starts at zero, so an untrained model returns the interpolation (--upsample) exactly"},
      {"memory_budget", &O::memory_budget,
       "RevGAN with memory saving: core activations a training step may keep (bytes, or K/M/G; unlimited: all, "
       "stored speed; auto: half the memory available at start); the first blocks of each pass run stored while "
       "they fit, the rest are recomputed",
       nullptr, "BYTES"},
      {"coupling", &O::coupling,
       "RevGAN coupling blocks: additive (y1 = x1 + F(x2), the paper's) or affine (y1 = x1 * sigmoid(a + 2) + t "
       "with (a, t) = F(x2); the paper's ablation, which it reports trains worse)",
       nullptr, "additive|affine"},
      {"n_epochs", &O::n_epochs, "epochs at the initial learning rate"},
      {"n_epochs_decay", &O::n_epochs_decay, "epochs of linear learning-rate decay to zero"},
      {"lr", &O::lr, "initial Adam learning rate"},
      {"beta1", &O::beta1, "Adam beta1 (beta2 is 0.999)"},
      {"lambda_A", &O::lambda_A, "cycle loss weight A -> B -> A"},
      {"lambda_B", &O::lambda_B, "cycle loss weight B -> A -> B"},
      {"lambda_identity", &O::lambda_identity,
       "identity loss weight relative to lambda_A / lambda_B (unpaired models; 0 disables)"},
      {"lambda_L1", &O::lambda_L1, "L1 loss weight of paired models"},
      {"lambda_GAN", &O::lambda_GAN,
       "weight of the generators' GAN terms; 0 trains the generators on their L1 (paired) or cycle and identity "
       "(unpaired) terms alone and leaves the discriminators untrained, which also saves their time"},
      {"gan_mode", &O::gan_mode, "lsgan (MSE) or vanilla (BCE)", "lsgan for unpaired, vanilla for paired models"},
      {"pool_size", &O::pool_size, "image pool of generated images for the discriminators (0: none)"},
      {"load_size", &O::load_size, "scale images to this size"},
      {"crop_size", &O::crop_size, "then crop to this size"},
      {"preprocess", &O::preprocess, "resize_and_crop | crop | scale_width | scale_width_and_crop | none"},
      {"no_flip", &O::no_flip, "no random horizontal flips"},
      {"batch_size", &O::batch_size, "images per step"},
      {"serial_batches", &O::serial_batches, "take samples in order (no shuffle, unaligned B not random)"},
      {"max_dataset_size", &O::max_dataset_size, "at most this many samples per domain"},
      {"num_threads", &O::num_threads, "batches prepared ahead by a loader thread (0: none)"},
      {"cpu_threads", &O::cpu_threads,
       "compute threads on the CPU: fixed (OpenMP's count, OMP_NUM_THREADS or all CPUs, throughout; results "
       "reproducible run to run) or adaptive (at most that count; before each step as many as the CPUs other "
       "processes left free, so that a loaded machine slows a step down without oversubscribing its cores; "
       "oneDNN's results then depend on the load)",
       nullptr, "fixed|adaptive"},
      {"skip_unreadable", &O::skip_unreadable,
       "skip image files that cannot be decoded (each named in a warning, counted per epoch) instead of stopping"},
      {"seed", &O::seed, "seed of weights, data order, crops, flips and the image pool"},
      {"patch_size", &O::patch_size, "3D models: training patch in voxels, N or D,H,W", "24"},
      {"factor", &O::factor,
       "3D models: the low-resolution input is the high-resolution volume block-averaged by this factor, N or "
       "D,H,W (e.g. 4,1,1: thick slices along D); unused with A/ + B/ pairs",
       "2"},
      {"patches_per_volume", &O::patches_per_volume, "3D models: random patches per volume in one epoch"},
      {"upsample", &O::upsample,
       "3D models: how the low-resolution input is interpolated onto the high-resolution grid before the network, "
       "in training and in revgan_infer: nearest, trilinear (the paper's) or cubic (cubic B-spline)"},
      {"intensity_clamp", &O::intensity_clamp,
       "3D models: clamp intensities normalised by the input's 0.5 / 99.5 percentiles to [-1, 1] (the brightest "
       "0.5 % of voxels are cut); --no_intensity_clamp keeps them above 1"},
      {"device", &O::device, "cpu, cuda or cuda:N"},
      {"continue_train", &O::continue_train, "resume from checkpoints_dir/name/<epoch>.h5"},
      {"epoch", &O::epoch, "checkpoint to resume from: latest or an epoch number"},
      {"epoch_count", &O::epoch_count, "number of the first epoch of a fresh run"},
      {"init_from", &O::init_from,
       "a fresh run starts its generators from PyTorch weights: pix2pix their latest_net_G.pth (ResNet), cyclegan "
       "latest_net_G_A.pth (+ G_B beside it), 2D RevGAN any of the official code's five generator files",
       nullptr, "FILE.pth"},
      {"save_epoch_freq", &O::save_epoch_freq, "epochs between numbered checkpoints (latest is saved every epoch)"},
      {"print_freq", &O::print_freq, "iterations between progress lines"},
      {"display_freq", &O::display_freq, "iterations between sample grids (0: never)"},
      {"save_latest_on_exit", &O::save_latest_on_exit, "save 'latest' when interrupted (SIGINT)"},
  }, {"config", [](const std::string& path, TrainOptions& o) {
        apply_config_file(path, o);
        o.config = path;
      }});
  return table;
}

namespace {

template <class T>
bool parse_integer(std::string_view text, T& out) {
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && p == end;
}

std::string read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  REVGAN_CHECK(f != nullptr, "cannot read config file '{}'", path);
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  REVGAN_CHECK(!failed, "cannot read config file '{}'", path);
  return text;
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

void apply_json(const FlatJson& json, TrainOptions& o, const std::string& source) {
  for (const auto& [key, value] : json) {
    const auto& table = train_option_table();
    const Spec* spec = table.find(key);
    REVGAN_CHECK(spec != nullptr, "{}: unknown option '{}'", source, key);
    const std::string where = fmt::format("{}: option '{}'", source, key);
    if (table.is_string(*spec))
      REVGAN_CHECK(value.kind == JsonScalar::Kind::string, "{}: expected a string", where);
    else if (table.is_bool(*spec))
      REVGAN_CHECK(value.kind == JsonScalar::Kind::boolean, "{}: expected true or false", where);
    else
      REVGAN_CHECK(value.kind == JsonScalar::Kind::number, "{}: expected a number", where);
    table.assign(o, *spec, value.text, where);
  }
}

}  // namespace

const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names = {"revgan_unpaired", "revgan_paired",   "cyclegan",
                                                 "pix2pix",         "revgan3d_paired", "revgan3d_unpaired"};
  return names;
}

ModelTraits model_traits(const std::string& model) {
  if (model == "revgan_unpaired") return {false, true, true, 2};
  if (model == "revgan_paired") return {true, true, true, 2};
  if (model == "cyclegan") return {false, false, true, 2};
  if (model == "pix2pix") return {true, false, false, 2};
  if (model == "revgan3d_paired") return {true, true, true, 3};
  if (model == "revgan3d_unpaired") return {false, true, true, 3};
  REVGAN_FAIL("unknown model '{}' (expected revgan_unpaired, revgan_paired, cyclegan, pix2pix, revgan3d_paired or "
              "revgan3d_unpaired)",
              model);
}

ResolvedOptions resolve_options(TrainOptions o) {
  const ModelTraits t = model_traits(o.model);
  if (o.dataset_mode.empty()) o.dataset_mode = t.paired ? "aligned" : "unaligned";
  if (o.depth == 0) o.depth = t.dims == 3 ? 6 : 9;
  if (o.netD == "basic") {
    // Their `basic` is NLayerDiscriminator with n_layers=3; they ignore --n_layers_D there, a
    // conflicting value is refused here rather than ignored.
    REVGAN_CHECK(o.n_layers_D == 0 || o.n_layers_D == 3,
                 "option n_layers_D: --netD basic has 3 stride-2 stages, got --n_layers_D {} (use --netD n_layers)",
                 o.n_layers_D);
    o.netD = "n_layers";
    o.n_layers_D = 3;
  }
  if (o.n_layers_D == 0) o.n_layers_D = t.dims == 3 ? 2 : 3;
  if (o.gan_mode.empty()) o.gan_mode = t.paired ? "vanilla" : "lsgan";

  REVGAN_CHECK(!o.name.empty() && o.name.find('/') == std::string::npos && o.name != "." && o.name != "..",
               "option name: '{}' is not a valid folder name", o.name);
  REVGAN_CHECK(o.dataset_mode == "aligned" || o.dataset_mode == "unaligned",
               "option dataset_mode: expected aligned or unaligned, got '{}'", o.dataset_mode);
  REVGAN_CHECK(o.gan_mode == "lsgan" || o.gan_mode == "vanilla", "option gan_mode: expected lsgan or vanilla, got '{}'",
               o.gan_mode);
  data::parse_direction(o.direction);
  data::parse_preprocess(o.preprocess);
  parse_device(o.device);
  auto positive = [](const char* name, int64_t v) {
    REVGAN_CHECK(v > 0, "option {}: must be positive, got {}", name, v);
  };
  auto non_negative = [](const char* name, double v) {
    REVGAN_CHECK(v >= 0, "option {}: must not be negative, got {}", name, v);
  };
  positive("input_nc", o.input_nc);
  positive("output_nc", o.output_nc);
  positive("ngf", o.ngf);
  positive("ndf", o.ndf);
  positive("depth", o.depth);
  positive("n_layers_D", o.n_layers_D);
  REVGAN_CHECK(o.netD == "n_layers" || o.netD == "pixel", "option netD: expected basic, n_layers or pixel, got '{}'",
               o.netD);
  positive("load_size", o.load_size);
  positive("crop_size", o.crop_size);
  positive("batch_size", o.batch_size);
  positive("max_dataset_size", o.max_dataset_size);
  positive("epoch_count", o.epoch_count);
  if (!o.netG.empty()) {
    const int64_t downs = o.netG == "unet_128" ? 7 : (o.netG == "unet_256" ? 8 : 0);
    REVGAN_CHECK(downs > 0, "option netG: '{}' is not unet_128 or unet_256 (leave it out for the ResNet generator)",
                 o.netG);
    REVGAN_CHECK(o.model == "pix2pix", "option netG: the U-Net is a pix2pix generator, not one of model '{}'",
                 o.model);
    REVGAN_CHECK(o.crop_size % (int64_t{1} << downs) == 0,
                 "option crop_size: {} needs crops that are multiples of {}, got {}", o.netG, int64_t{1} << downs,
                 o.crop_size);
  }
  REVGAN_CHECK(o.init_from.empty() || !o.continue_train,
               "option init_from: a resumed run (--continue_train) takes its weights from its checkpoint, not '{}'",
               o.init_from);
  positive("save_epoch_freq", o.save_epoch_freq);
  positive("print_freq", o.print_freq);
  positive("patches_per_volume", o.patches_per_volume);
  data::parse_axes("patch_size", o.patch_size);
  data::parse_axes("factor", o.factor);
  if (o.memory_budget != "auto") parse_memory_budget(o.memory_budget);
  REVGAN_CHECK(o.cpu_threads == "fixed" || o.cpu_threads == "adaptive",
               "option cpu_threads: expected fixed or adaptive, got '{}'", o.cpu_threads);
  REVGAN_CHECK(o.coupling == "additive" || model_traits(o.model).reversible,
               "option coupling: model '{}' has no coupling blocks (RevGAN models only)", o.model);
  reversible::parse_coupling(o.coupling);
  for (auto [name, v] : {std::pair{"n_epochs", double(o.n_epochs)}, {"n_epochs_decay", double(o.n_epochs_decay)},
                         {"lr", o.lr}, {"lambda_A", o.lambda_A}, {"lambda_B", o.lambda_B},
                         {"lambda_identity", o.lambda_identity}, {"lambda_L1", o.lambda_L1},
                         {"lambda_GAN", o.lambda_GAN},
                         {"pool_size", double(o.pool_size)}, {"display_freq", double(o.display_freq)},
                         {"num_threads", double(o.num_threads)}})
    non_negative(name, v);
  REVGAN_CHECK(o.n_epochs + o.n_epochs_decay >= 1, "options n_epochs + n_epochs_decay: must be at least 1");
  REVGAN_CHECK(o.beta1 >= 0 && o.beta1 < 1, "option beta1: must be in [0, 1), got {}", o.beta1);
  REVGAN_CHECK(t.dims == 2 || o.ngf % 2 == 0, "option ngf: the 3D core splits K channels in halves, {} is odd",
               o.ngf);
  REVGAN_CHECK(o.norm == "instance" || o.norm == "none", "option norm: expected instance or none, got '{}'", o.norm);
  REVGAN_CHECK(t.dims == 3 || o.norm == "instance", "option norm: none applies to the 3D models only (model {})",
               o.model);
  REVGAN_CHECK(t.dims == 3 || !o.global_residual, "option global_residual: applies to the 3D models only (model {})",
               o.model);
  REVGAN_CHECK(!o.global_residual || o.input_nc == o.output_nc,
               "option global_residual: adds the input to the output, so input_nc ({}) must equal output_nc ({})",
               o.input_nc, o.output_nc);
  data::parse_interpolation("upsample", o.upsample);
  REVGAN_CHECK(t.paired || o.lambda_identity == 0 || o.input_nc == o.output_nc,
               "option lambda_identity: the identity loss needs input_nc == output_nc (got {} and {}); set "
               "--lambda_identity 0",
               o.input_nc, o.output_nc);
  int64_t epoch_number = 0;
  REVGAN_CHECK(o.epoch == "latest" || (parse_integer(std::string_view(o.epoch), epoch_number) && epoch_number > 0),
               "option epoch: expected latest or an epoch number, got '{}'", o.epoch);
  return ResolvedOptions(std::move(o));
}

std::string options_to_json(const TrainOptions& o) {
  FlatJson json;
  const auto& table = train_option_table();
  for (const Spec& s : table.specs()) {
    JsonScalar v;
    v.kind = table.is_string(s)  ? JsonScalar::Kind::string
             : table.is_bool(s) ? JsonScalar::Kind::boolean
                                : JsonScalar::Kind::number;
    v.text = table.value_text(o, s);
    json.emplace_back(s.name, std::move(v));
  }
  return write_flat_json(json);
}

int64_t parse_memory_budget(const std::string& text, Device device) {
  if (text == "unlimited") return reversible::ReversibleSequence::unlimited_budget;
  if (text == "auto") return available_memory_bytes(device) / 2;
  return parse_byte_size("memory_budget", text, 0);
}

std::vector<std::string> differing_network_options(const TrainOptions& checkpoint, const TrainOptions& given) {
  std::vector<std::string> out;
  const auto& table = train_option_table();
  for (const Spec& s : table.specs()) {
    if (!shapes_networks(s.name)) continue;
    const std::string a = table.value_text(checkpoint, s), b = table.value_text(given, s);
    if (a != b) out.push_back(fmt::format("--{} {} in the checkpoint vs --{} {} given", s.name, a, s.name, b));
  }
  return out;
}

TrainOptions options_from_json(const std::string& json) {
  TrainOptions o;
  apply_json(parse_flat_json(json), o, "options JSON");
  return o;
}

void apply_config_file(const std::string& path, TrainOptions& o) {
  const std::string text = read_file(path);
  const std::string body = trim(text);
  if (!body.empty() && body.front() == '{') {
    FlatJson json;
    try {
      json = parse_flat_json(text);
    } catch (const Error& e) {
      REVGAN_FAIL("config '{}': {}", path, e.message());
    }
    apply_json(json, o, fmt::format("config '{}'", path));
    return;
  }
  std::size_t begin = 0;
  for (int number = 1; begin < text.size(); ++number) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    const std::string where = fmt::format("config '{}' line {}", path, number);
    std::string content = line;
    // '#' starts a comment unless it sits inside a quoted value.
    bool quoted = false;
    for (std::size_t i = 0; i < content.size(); ++i) {
      if (content[i] == '"') quoted = !quoted;
      if (content[i] == '#' && !quoted) {
        content.resize(i);
        break;
      }
    }
    content = trim(content);
    if (content.empty()) continue;
    const auto eq = content.find('=');
    REVGAN_CHECK(eq != std::string::npos, "{}: expected 'key = value', got '{}'", where, content);
    const std::string key = trim(std::string_view(content).substr(0, eq));
    std::string value = trim(std::string_view(content).substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    const Spec* spec = train_option_table().find(key);
    REVGAN_CHECK(spec != nullptr, "{}: unknown option '{}'", where, key);
    train_option_table().assign(o, *spec, value, fmt::format("{}: option '{}'", where, key));
  }
}

ParsedArgs parse_train_args(const std::vector<std::string>& args) {
  ParsedOptions<TrainOptions> parsed = train_option_table().parse(args);
  return {std::move(parsed.options), parsed.help};
}

std::string train_options_help(const std::string& program) {
  std::string out = fmt::format(
      "usage: {} --dataroot DIR [--name NAME] [--model MODEL] [options]\n\n"
      "Trains a RevGAN (or a CycleGAN / pix2pix baseline) on images, or a 3D RevGAN (revgan3d_paired,\n"
      "revgan3d_unpaired) on volume patches (see patch_size, factor). Options take '--name value' or '--name=value';\n"
      "flags take '--flag' (true), '--flag=false' or '--no_flag'. '--config FILE' reads options from a file of\n"
      "'key = value' lines ('#' comments) or a flat JSON object (e.g. a run's train_opt.json); arguments on the\n"
      "command line override it. Checkpoints (HDF5) go to checkpoints_dir/name/: latest.h5 every epoch and\n"
      "<epoch>.h5 every save_epoch_freq epochs; losses go to loss_log.csv. Ctrl-C saves latest.h5 and stops;\n"
      "--continue_train resumes exactly where it stopped.\n\noptions:\n",
      program);
  return out + train_option_table().help_lines(TrainOptions{});
}

}  // namespace revgan::training
