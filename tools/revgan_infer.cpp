// revgan_infer: translates a folder of images (or one image) with the generators stored in a
// revgan_train checkpoint, AtoB through the reversible core or BtoA through its inverse.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/core/check.hpp"
#include "tools/common/cli_args.hpp"
#include "tools/infer/folder.hpp"
#include "tools/infer/pth_generator.hpp"
#include "tools/infer/volume_translator.hpp"

namespace {

using revgan::tools::UsageError;

void print_help() {
  fmt::print(
      "usage: revgan_infer --checkpoint FILE --input DIR|FILE --output DIR [options]\n"
      "Translates images with the generators of a revgan_train checkpoint (the checkpoint stores\n"
      "the options; discriminators and optimizer state in it are ignored). Output files keep the\n"
      "input names (and sub-folders) with the extension of --format.\n\n"
      "  --checkpoint FILE   a checkpoint written by revgan_train (required)\n"
      "  --input DIR|FILE    an image or a folder of images, searched recursively (required)\n"
      "  --output DIR        output folder, created if missing (required)\n"
      "  --direction D       AtoB: domain A -> B through the core; BtoA: B -> A through the\n"
      "                      inverse core (default AtoB)\n"
      "  --format F          png | jpg (default png)\n"
      "  --input-part P      whole | A | B: translate the whole input, or the left (A) / right (B)\n"
      "                      half of pix2pix aligned A|B images (default whole)\n"
      "  --max_memory SIZE   memory budget (e.g. 8G, 1.5GiB, 512M; default: 80% of the memory\n"
      "                      available at start, on the GPU for --device cuda). Each input runs\n"
      "                      whole when the estimated peak of whole inference fits it, else in\n"
      "                      exact tiles (largest tile that fits, from 512, or 64 for volumes)\n"
      "  --tile N            always run in exact N x N tiles (N x N x N for volumes; images: a\n"
      "                      multiple of 4)\n"
      "  --batch N           images of one size per network call when they fit whole (default 1)\n"
      "  --device D          cpu | cuda | cuda:N (default cpu)\n"
      "  --volume            3D super-resolution: inputs are NIfTI (.nii, .nii.gz) or HDF5 (.h5,\n"
      "                      .hdf5, dataset 'volume') volumes, outputs keep name and format; each\n"
      "                      volume is up-sampled (trilinear) by --factor onto the output grid,\n"
      "                      normalised by its 0.5 / 99.5 percentiles as in training, translated\n"
      "                      and mapped back to its units\n"
      "  --factor F          --volume: up-sampling factor, one value or D,H,W (default 2; 1: the\n"
      "                      input is already on the output grid)\n"
      "  --quiet             no progress line\n"
      "  --help              this text\n\n"
      "Any image size works: sides are padded to a multiple of 4 by mirror reflection and the\n"
      "output is cropped back. Tiled inference is exact: every instance norm takes its statistics\n"
      "over the whole image (all tiles) and every tile reads the full receptive field of its\n"
      "outputs, so tiled output equals whole-image output up to float rounding (within 1 level\n"
      "of 255). JPEG inputs are decoded by libjpeg-turbo, pixel for pixel as PIL decodes them.\n"
      "Exit status: 0 success, 1 error (message on stderr), 2 usage error.\n");
  // PyTorch checkpoints (tools/infer/pth_generator.hpp).
  fmt::print(
      "\nA --checkpoint ending in .pth or .pt is a PyTorch state dict: a generator of\n"
      "pytorch-CycleGAN-and-pix2pix (latest_net_G_A.pth), or the official RevGAN code's\n"
      "<epoch>_net_G_core.pth with its encoders and decoders beside it. Their options:\n{}",
      revgan::infer::pth_generator_option_table().help_lines({}));
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

Config parse(int argc, char** argv, bool& help) {
  revgan::tools::Args args({"--checkpoint", "--input", "--output", "--direction", "--format", "--input-part", "--tile",
                            "--max_memory", "--batch", "--device", "--factor"},
                           {"--quiet", "--volume"});
  // The .pth options go to their own table; everything else to Args.
  const auto& pth_table = revgan::infer::pth_generator_option_table();
  const auto [pth_args, rest] = pth_table.split_known(std::vector<std::string>(argv + 1, argv + argc));
  std::vector<char*> rest_argv{argv[0]};
  for (const std::string& a : rest) rest_argv.push_back(const_cast<char*>(a.c_str()));
  help = !args.parse(static_cast<int>(rest_argv.size()), rest_argv.data());
  Config c;
  if (help) return c;
  c.checkpoint = args.required("--checkpoint");
  try {
    c.pth = pth_table.parse(pth_args).options;
  } catch (const revgan::Error& e) {
    throw UsageError{e.message()};
  }
  if (!pth_args.empty() && !revgan::infer::is_pth_checkpoint(c.checkpoint))
    throw UsageError{fmt::format("{} applies to .pth checkpoints only", pth_args.front())};
  c.job.input = args.required("--input");
  c.job.output = args.required("--output");
  c.x_to_y = args.get_choice("--direction", {"AtoB", "BtoA"}) == "AtoB";
  c.job.format = args.get_choice("--format", {"png", "jpg"});
  const std::string part = args.get_choice("--input-part", {"whole", "A", "B", "left", "right"});
  c.job.part = revgan::infer::parse_input_part(part);
  c.volume = args.flag("--volume");
  if (c.volume && revgan::infer::is_pth_checkpoint(c.checkpoint)) throw UsageError{"--volume does not take a .pth"};
  if (c.volume) {
    for (const char* image_only : {"--format", "--input-part"})
      if (args.has(image_only)) throw UsageError{fmt::format("{} does not apply to --volume", image_only)};
    c.factor = revgan::tools::parse_factor("--factor", args.get("--factor", "2"));
    c.job.tiles = revgan::infer::default_volume_tiles();
    c.job.tiles.tile = args.get_int("--tile", 0, 2);
  } else {
    if (args.has("--factor")) throw UsageError{"--factor applies to --volume only"};
    c.job.tiles.tile = args.get_int("--tile", 0, 8);
    if (c.job.tiles.tile % 4 != 0)
      throw UsageError{fmt::format("--tile must be a multiple of 4, got {}", c.job.tiles.tile)};
  }
  if (args.has("--max_memory"))
    c.job.tiles.max_memory = revgan::tools::parse_bytes("--max_memory", args.get("--max_memory"));
  c.job.batch = args.get_int("--batch", 1, 1);
  c.device = args.get("--device", "cpu");
  try {
    revgan::parse_device(c.device);
  } catch (const revgan::Error&) {
    throw UsageError{fmt::format("--device must be cpu, cuda or cuda:N, got '{}'", c.device)};
  }
  c.quiet = args.flag("--quiet");
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  Config c;
  try {
    bool help = false;
    c = parse(argc, argv, help);
    if (help) {
      print_help();
      return 0;
    }
  } catch (const UsageError& e) {
    fmt::print(stderr, "revgan_infer: {}\n(see --help)\n", e.message);
    return 2;
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
