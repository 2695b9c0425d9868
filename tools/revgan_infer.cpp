// revgan_infer: translates a folder of images (or one image) with the generators stored in a
// revgan_train checkpoint, AtoB through the reversible core or BtoA through its inverse.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/core/check.hpp"
#include "engine/core/byte_size.hpp"
#include "engine/core/option_table.hpp"
#include "tools/common/tool_args.hpp"
#include "tools/infer/folder.hpp"
#include "tools/infer/pth_generator.hpp"
#include "tools/infer/volume_translator.hpp"

namespace {

const char* const k_usage =
    "usage: revgan_infer --checkpoint FILE --input DIR|FILE --output DIR [options]\n"
    "Translates images with the generators of a revgan_train checkpoint (the checkpoint stores\n"
    "the options; discriminators and optimizer state in it are ignored). Output files keep the\n"
    "input names (and sub-folders) with the extension of --format.\n\n"
    "Any image size works: sides are padded to a multiple of 4 by mirror reflection and the\n"
    "output is cropped back. Tiled inference is exact: every instance norm takes its statistics\n"
    "over the whole image (all tiles) and every tile reads the full receptive field of its\n"
    "outputs, so tiled output equals whole-image output up to float rounding (within 1 level\n"
    "of 255). JPEG inputs are decoded by libjpeg-turbo, pixel for pixel as PIL decodes them.\n"
    "Exit status: 0 success, 1 error (message on stderr), 2 usage error.\n";

// The command line as typed; Config below is what it means.
struct InferArgs {
  std::string checkpoint, input, output, direction = "AtoB", format = "png", input_part = "whole", max_memory,
                                         device = "cpu", factor = "2";
  int64_t tile = 0, batch = 1;
  bool volume = false, quiet = false;
};

const revgan::OptionTable<InferArgs>& option_table() {
  static const revgan::OptionTable<InferArgs> table({
      {"checkpoint", &InferArgs::checkpoint, "a checkpoint written by revgan_train, or a PyTorch .pth (below) (required)",
       nullptr, "FILE"},
      {"input", &InferArgs::input, "an image or a folder of images, searched recursively (required)", nullptr,
       "DIR|FILE"},
      {"output", &InferArgs::output, "output folder, created if missing (required)", nullptr, "DIR"},
      {"direction", &InferArgs::direction,
       "AtoB: domain A -> B through the core; BtoA: B -> A through the inverse core", nullptr, "AtoB|BtoA"},
      {"format", &InferArgs::format, "output image format", nullptr, "png|jpg"},
      {"input_part", &InferArgs::input_part,
       "whole | A | B: translate the whole input, or the left (A) / right (B) half of pix2pix aligned A|B images",
       nullptr, "whole|A|B"},
      {"max_memory", &InferArgs::max_memory,
       "memory budget (e.g. 8G, 1.5GiB, 512M). Each input runs whole when the estimated peak of whole inference "
       "fits it, else in exact tiles (largest tile that fits, from 512, or 64 for volumes)",
       "80% of the memory available at start, on the GPU for --device cuda", "SIZE"},
      {"tile", &InferArgs::tile,
       "always run in exact N x N tiles (N x N x N for volumes; images: a multiple of 4); 0: whole when it fits",
       nullptr, "N"},
      {"batch", &InferArgs::batch, "images of one size per network call when they fit whole", nullptr, "N"},
      {"device", &InferArgs::device, "cpu | cuda | cuda:N", nullptr, "D"},
      {"volume", &InferArgs::volume,
       "3D super-resolution: inputs are NIfTI (.nii, .nii.gz) or HDF5 (.h5, .hdf5, dataset 'volume') volumes, "
       "outputs keep name and format; each volume is up-sampled by --factor onto the output grid (as the checkpoint "
       "was trained: its --upsample, trilinear or cubic B-spline), normalised by its 0.5 / 99.5 percentiles as in "
       "training (clamped unless --no_intensity_clamp was trained), translated whole when it fits --max_memory "
       "(tiles beyond) and mapped back to its units"},
      {"factor", &InferArgs::factor,
       "--volume: up-sampling factor, one value or D,H,W (1: the input is already on the output grid)", nullptr,
       "F"},
      {"quiet", &InferArgs::quiet, "no progress line"},
  });
  return table;
}

struct Config {
  std::string checkpoint;
  revgan::infer::PthGeneratorOptions pth;
  bool volume = false;
  revgan::data::Axes3 factor{2, 2, 2};
  bool x_to_y = true;
  std::string device = "cpu";
  bool quiet = false;
  revgan::infer::FolderJob job;
};

// The rules between options; a broken one is a usage error (exit status 2).
Config make_config(const revgan::ParsedOptions<InferArgs>& parsed, const std::vector<std::string>& pth_args) {
  const InferArgs& a = parsed.options;
  for (const char* required : {"checkpoint", "input", "output"})
    REVGAN_CHECK(parsed.was_given(required), "--{} is required", required);
  Config c;
  c.checkpoint = a.checkpoint;
  const bool pth = revgan::infer::is_pth_checkpoint(c.checkpoint);
  c.pth = revgan::infer::pth_generator_option_table().parse(pth_args).options;
  REVGAN_CHECK(pth_args.empty() || pth, "{} applies to .pth checkpoints only", pth_args.front());
  c.job.input = a.input;
  c.job.output = a.output;
  REVGAN_CHECK(a.direction == "AtoB" || a.direction == "BtoA", "--direction must be AtoB or BtoA, got '{}'",
               a.direction);
  c.x_to_y = a.direction == "AtoB";
  REVGAN_CHECK(a.format == "png" || a.format == "jpg", "--format must be png or jpg, got '{}'", a.format);
  c.job.format = a.format;
  c.job.part = revgan::infer::parse_input_part(a.input_part);
  c.volume = a.volume;
  REVGAN_CHECK(!(c.volume && pth), "--volume does not take a .pth");
  if (c.volume) {
    for (const char* image_only : {"format", "input_part"})
      REVGAN_CHECK(!parsed.was_given(image_only), "--{} does not apply to --volume", image_only);
    c.factor = revgan::data::parse_axes("factor", a.factor);
    c.job.tiles = revgan::infer::default_volume_tiles();
    REVGAN_CHECK(a.tile == 0 || a.tile >= 2, "--tile must be 0 or at least 2 for volumes, got {}", a.tile);
  } else {
    REVGAN_CHECK(!parsed.was_given("factor"), "--factor applies to --volume only");
    REVGAN_CHECK(a.tile == 0 || (a.tile >= 8 && a.tile % 4 == 0),
                 "--tile must be 0 or a multiple of 4 of at least 8, got {}", a.tile);
  }
  c.job.tiles.tile = a.tile;
  if (parsed.was_given("max_memory")) c.job.tiles.max_memory = revgan::parse_byte_size("max_memory", a.max_memory);
  REVGAN_CHECK(a.batch >= 1, "--batch must be at least 1, got {}", a.batch);
  c.job.batch = a.batch;
  c.device = a.device;
  try {
    revgan::parse_device(c.device);
  } catch (const revgan::Error&) {
    REVGAN_FAIL("--device must be cpu, cuda or cuda:N, got '{}'", c.device);
  }
  c.quiet = a.quiet;
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  // The .pth options have their own table (tools/infer/pth_generator.hpp); the rest is ours.
  const auto [pth_args, rest] =
      revgan::infer::pth_generator_option_table().split_known(std::vector<std::string>(argv + 1, argv + argc));
  std::vector<char*> rest_argv{argv[0]};
  for (const std::string& a : rest) rest_argv.push_back(const_cast<char*>(a.c_str()));
  Config c;
  const auto args = revgan::tools::parse_tool_args<InferArgs>(
      "revgan_infer", k_usage, option_table(), static_cast<int>(rest_argv.size()), rest_argv.data(),
      [&](const revgan::ParsedOptions<InferArgs>& parsed) { c = make_config(parsed, pth_args); });
  if (!args.options) {
    if (args.exit_code == 0)
      fmt::print(
          "\nA --checkpoint ending in .pth or .pt is a PyTorch state dict: a generator of\n"
          "pytorch-CycleGAN-and-pix2pix (latest_net_G_A.pth), or the official RevGAN code's\n"
          "<epoch>_net_G_core.pth with its encoders and decoders beside it. Their options:\n{}",
          revgan::infer::pth_generator_option_table().help_lines({}));
    return args.exit_code;
  }
  try {
    const auto start = std::chrono::steady_clock::now();
    const bool tty = ::isatty(STDOUT_FILENO) != 0;
    int64_t last_line = -1;
    const auto progress = [&](int64_t done, int64_t total, const std::filesystem::path& last) {
      if (c.quiet) return;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const char* unit = c.volume ? "volumes" : "images";
      const std::string line = fmt::format("revgan_infer: {}/{} {}, {:.1f} s, {:.2f} {}/s ({})", done, total, unit, s,
                                           done / std::max(s, 1e-9), unit, last.filename().string());
      if (tty) {
        fmt::print("\r{:<100}", line);
        if (done == total) fmt::print("\n");
        std::fflush(stdout);
      } else if (done == total || done * 10 / total != last_line) {  // about ten lines in logs
        last_line = done * 10 / total;
        fmt::print("{}\n", line);
      }
    };
    const revgan::Device device = revgan::parse_device(c.device);
    revgan::infer::FolderResult result;
    std::string model;
    if (c.volume) {
      const auto translator = revgan::infer::VolumeTranslator::from_checkpoint(c.checkpoint, c.x_to_y, device);
      revgan::infer::VolumeJob job;
      job.input = c.job.input;
      job.output = c.job.output;
      job.factor = c.factor;
      job.tiles = c.job.tiles;
      result = revgan::infer::translate_volume_folder(translator, job, progress);
      model = translator.options().model;
    } else {
      const auto translator = revgan::infer::is_pth_checkpoint(c.checkpoint)
                                  ? revgan::infer::translator_from_pth(c.checkpoint, c.pth, c.x_to_y, device)
                                  : revgan::infer::Translator::from_checkpoint(c.checkpoint, c.x_to_y, device);
      result = revgan::infer::translate_folder(translator, c.job, progress);
      model = translator.options().model;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("revgan_infer: translated {} {} {} ({} whole, {} in exact tiles) with '{}' ({}) into {} in {:.2f} s\n",
               result.translated, c.volume ? "volume(s)" : "image(s)", c.x_to_y ? "AtoB" : "BtoA",
               result.translated - result.tiled, result.tiled, c.checkpoint, model, c.job.output.string(), s);
    return 0;
  } catch (const revgan::Error& e) {
    fmt::print(stderr, "revgan_infer: error: {}\n", e.message());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "revgan_infer: error: {}\n", e.what());
    return 1;
  }
}
