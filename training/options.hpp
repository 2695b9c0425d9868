// Training options with pytorch-CycleGAN-and-pix2pix's names and defaults, their command-line /
// config-file parsing, and a flat JSON form stored in every checkpoint so that inference can
// rebuild the networks from the checkpoint alone.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "engine/core/device.hpp"
#include "engine/core/option_table.hpp"

namespace revgan::training {

struct TrainOptions {
  // Data and run identity.
  std::string dataroot;
  std::string name = "experiment_name";
  std::string checkpoints_dir = "./checkpoints";
  std::string dataset_mode;  // aligned | unaligned; empty: by model (paired -> aligned)
  std::string phase = "train";
  // Model.
  std::string model = "revgan_unpaired";  // see model_names()
  std::string direction = "AtoB";
  int64_t input_nc = 3;
  int64_t output_nc = 3;
  int64_t ngf = 64;
  int64_t ndf = 64;
  int64_t depth = 0;       // coupling / residual blocks; 0: by model (9 in 2D, 6 in 3D)
  // Discriminator (pix2pix's --netD): "n_layers" (PatchGAN, n_layers_D stages), "pixel" (1x1
  // convs), or "basic" (n_layers with n_layers_D 3), which resolve_options turns into n_layers.
  std::string netD = "n_layers";
  int64_t n_layers_D = 0;  // PatchGAN stride-2 stages; 0: by model (3 in 2D, 2 in 3D)
  // pix2pix only: "" (our ResNet generator, `depth` blocks) or pytorch-CycleGAN-and-pix2pix's
  // U-Net "unet_128" / "unet_256" (batch norm, Dropout(0.5) unless no_dropout).
  std::string netG;
  bool no_dropout = false;
  bool memory_saving = true;  // RevGAN core executor (--no_memory_saving: stored activations)
  std::string norm = "instance";  // generator normalisation: instance | none (none: 3D models only)
  bool global_residual = false;   // 3D: G(x) = x + correction, the correction's last conv starting at zero
  // With memory_saving: bytes of core activations one training step may keep (the first blocks
  // of each pass run stored while they fit); "0": none (pure memory saving), "unlimited": all
  // (stored speed), "auto": half the memory available at start. Bytes, or with a K, M, G (powers
  // of 1024) suffix.
  std::string memory_budget = "0";
  // RevGAN coupling blocks: "additive" (the paper's) or "affine" (x2 * sigmoid(a + 2) + t, the
  // paper's ablation).
  std::string coupling = "additive";
  // Optimisation.
  int64_t n_epochs = 100;        // epochs at the initial learning rate
  int64_t n_epochs_decay = 100;  // epochs of linear decay to zero
  double lr = 0.0002;
  double beta1 = 0.5;
  double lambda_A = 10.0;
  double lambda_B = 10.0;
  double lambda_identity = 0.5;
  double lambda_L1 = 100.0;
  double lambda_GAN = 1.0;  // weight of the generators' GAN terms; 0: no adversarial training at all
  std::string gan_mode;  // lsgan | vanilla; empty: by model (lsgan unpaired, vanilla paired)
  int64_t pool_size = 50;
  // Preprocessing and batching.
  int64_t load_size = 286;
  int64_t crop_size = 256;
  std::string preprocess = "resize_and_crop";
  bool no_flip = false;
  int64_t batch_size = 1;
  bool serial_batches = false;
  int64_t max_dataset_size = std::numeric_limits<int64_t>::max();
  int64_t num_threads = 4;  // batches prepared ahead by the loader thread (0: synchronous)
  bool skip_unreadable = false;  // skip (and count) image files that cannot be decoded
  uint64_t seed = 0;
  // Volumes (3D models): per-axis values are "N" or "D,H,W" (data::parse_axes).
  std::string patch_size = "24";   // training patch in voxels
  std::string factor = "2";        // block-average factor that synthesises the low-resolution input
  int64_t patches_per_volume = 8;  // samples drawn from each volume per epoch
  std::string upsample = "trilinear";  // nearest | trilinear | cubic: the input's way onto the output grid
  bool intensity_clamp = true;     // clamp normalised intensities to [-1, 1]
  std::string device = "cpu";
  // CPU threads: "fixed" (OpenMP's count, OMP_NUM_THREADS or all CPUs, throughout) or
  // "adaptive" (at most that count; before each step as many as other processes leave CPUs free,
  // engine/core/adaptive_threads.hpp).
  std::string cpu_threads = "fixed";
  // Run control.
  bool continue_train = false;
  std::string epoch = "latest";  // checkpoint to resume from: latest or an epoch number
  int64_t epoch_count = 1;       // first epoch number of a fresh run
  std::string init_from;         // a fresh run's generators from PyTorch .pth files (models/pytorch_init)
  int64_t save_epoch_freq = 5;
  int64_t print_freq = 100;     // iterations between progress lines
  int64_t display_freq = 400;   // iterations between sample grids (observer on_sample); 0: never
  bool save_latest_on_exit = true;
  std::string config;  // the config file these options were read from (informational)
};

// The option table behind the command line, config files, JSON and --help.
const OptionTable<TrainOptions>& train_option_table();

// The model names accepted by TrainOptions::model.
const std::vector<std::string>& model_names();

// What a model name implies.
struct ModelTraits {
  bool paired = false;      // conditional D, L1 to the target, no pool, no cycle
  bool reversible = false;  // RevGAN (shared invertible core) vs ResNet generators
  bool two_way = true;      // trains both directions (false: pix2pix)
  int dims = 2;             // 2: images, 3: volumes
};
ModelTraits model_traits(const std::string& model);


class ResolvedOptions;
// Fills the "by model" defaults (dataset_mode, depth, n_layers_D, gan_mode), turns netD basic into
// n_layers with n_layers_D 3, and checks every value; throws naming the offending option.
// Idempotent.
ResolvedOptions resolve_options(TrainOptions options);

// TrainOptions after resolve_options: every "by model" default filled in and every value checked.
// Only resolve_options makes one, so the trainer, the model factory and the loop, which take
// this type, never resolve again.
class ResolvedOptions {
 public:
  const TrainOptions& get() const { return options_; }
  const TrainOptions* operator->() const { return &options_; }

 private:
  friend ResolvedOptions resolve_options(TrainOptions options);
  explicit ResolvedOptions(TrainOptions options) : options_(std::move(options)) {}
  TrainOptions options_;
};

// memory_budget in bytes: "unlimited" is ReversibleSequence::unlimited_budget; "auto" is half of
// the memory available on `device` now (engine/memory/available_memory.hpp), leaving the other
// half to the rest of the step. Throws naming the option on anything else than a non-negative
// size ("512M", "2G", "1048576").
int64_t parse_memory_budget(const std::string& text, Device device = Device::cpu());

// The options that shape the networks (model, channels, widths, depths) whose values differ,
// each as "--ngf 8 in the checkpoint vs --ngf 16 given", in table order.
std::vector<std::string> differing_network_options(const TrainOptions& checkpoint, const TrainOptions& given);

// Flat JSON object of every option (resolved or not, as given).
std::string options_to_json(const TrainOptions& options);
// Starts from the defaults; keys absent from the JSON keep them, unknown keys are an error.
TrainOptions options_from_json(const std::string& json);

// Config files: either a flat JSON object, or "key = value" lines ('#' starts a comment; values
// may be quoted). Keys are option names. Unknown keys are an error naming file and line.
void apply_config_file(const std::string& path, TrainOptions& options);

// Command-line result: defaults < --config FILE < the other arguments, in that order whatever
// the position of --config.
struct ParsedArgs {
  TrainOptions options;
  bool help = false;
};
// args excludes argv[0]. Accepts --name value, --name=value, --flag (true), --flag=false and
// --no_<flag> for flags not already starting with "no_". Throws revgan::Error on an unknown
// option, a missing or malformed value.
ParsedArgs parse_train_args(const std::vector<std::string>& args);
// --help text: every option with its default and meaning.
std::string train_options_help(const std::string& program);

}  // namespace revgan::training
