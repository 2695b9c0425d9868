// revgan_eval: scores translated images against ground truth, either as label maps (pixel /
// class accuracy and IoU over the built-in palette) or as images (MAE, PSNR, SSIM).
#include <fmt/format.h>

#include <string>

#include "engine/core/check.hpp"
#include "engine/io/atomic_file.hpp"
#include "tools/common/cli_args.hpp"
#include "tools/eval/evaluate.hpp"
#include "tools/eval/volume_eval.hpp"

namespace {

using revgan::tools::UsageError;

void print_help() {
  fmt::print(
      "usage: revgan_eval --pred DIR --truth DIR --kind labels|images|volumes [options]\n"
      "Pairs every prediction with the truth file of the same relative name (extensions may\n"
      "differ), prints a table and optionally writes JSON.\n\n"
      "  --pred DIR|FILE     predicted images (required)\n"
      "  --truth DIR|FILE    ground truth (required)\n"
      "  --kind K            labels: each pixel is mapped to the nearest colour of the built-in\n"
      "                      street-scene palette; pixel accuracy, per-class accuracy and IoU,\n"
      "                      mean class accuracy and mean IoU (classes absent from both truth\n"
      "                      and prediction are left out of the means)\n"
      "                      images: MAE, PSNR and SSIM on the [0, 255] scale, averaged over\n"
      "                      images (SSIM: Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03, per\n"
      "                      colour channel then averaged, mean over the valid region)\n"
      "                      volumes: PSNR, SSIM and MAE of NIfTI / HDF5 volumes against the\n"
      "                      high-resolution truth, next to the trilinear up-sampling baseline\n"
      "                      (L = truth max - min; SSIM with a 3D Gaussian window 11, sigma 1.5)\n"
      "  --factor F          volumes: down-sampling factor, one value or D,H,W (default 2); the\n"
      "                      baseline's input is the truth block-averaged by F, unless --low\n"
      "  --low DIR|FILE      volumes: the low-resolution inputs (same names as the truth)\n"
      "  --truth-part P      whole | A | B: compare with the whole truth image or with the left\n"
      "                      (A) / right (B) half of pix2pix aligned A|B images (default whole)\n"
      "  --json FILE         also write the results as JSON. Identical images have an infinite\n"
      "                      PSNR, written as the string \"inf\"; undefined values are null\n"
      "  --help              this text\n\n"
      "Exit status: 0 success, 1 error (message on stderr), 2 usage error.\n");
}

}  // namespace

int main(int argc, char** argv) {
  revgan::tools::Args args({"--pred", "--truth", "--kind", "--truth-part", "--json", "--factor", "--low"}, {});
  std::string kind, pred, truth, part, json, low;
  revgan::data::Axes3 factor{2, 2, 2};
  try {
    if (!args.parse(argc, argv)) {
      print_help();
      return 0;
    }
    pred = args.required("--pred");
    truth = args.required("--truth");
    if (!args.has("--kind")) throw UsageError{"--kind is required (labels, images or volumes)"};
    kind = args.get_choice("--kind", {"labels", "images", "volumes"});
    if (kind != "volumes" && (args.has("--factor") || args.has("--low")))
      throw UsageError{"--factor and --low apply to --kind volumes only"};
    if (kind == "volumes" && args.has("--truth-part")) throw UsageError{"--truth-part does not apply to volumes"};
    factor = revgan::tools::parse_factor("--factor", args.get("--factor", "2"));
    low = args.get("--low");
    part = args.get_choice("--truth-part", {"whole", "A", "B", "left", "right"});
    json = args.get("--json");
  } catch (const UsageError& e) {
    fmt::print(stderr, "revgan_eval: {}\n(see --help)\n", e.message);
    return 2;
  }
  try {
    namespace ev = revgan::eval;
    ev::Evaluation result;
    if (kind == "volumes") {
      ev::VolumeEvalOptions options;
      options.factor = factor;
      if (!low.empty())
        for (const ev::FilePair& p : ev::match_files(low, truth, ev::FileKind::volumes))
          options.low_inputs[p.name] = p.prediction;
      result = ev::evaluate_volumes(ev::match_files(pred, truth, ev::FileKind::volumes), options);
    } else {
      const auto pairs = ev::match_files(pred, truth);
      const ev::Half half = ev::parse_half(part);
      result = kind == "labels" ? ev::evaluate_labels(pairs, half) : ev::evaluate_images(pairs, half);
    }
    fmt::print("{}", result.table);
    if (!json.empty()) {
      revgan::io::write_text_atomically(json, result.json);
      fmt::print("revgan_eval: wrote {}\n", json);
    }
    return 0;
  } catch (const revgan::Error& e) {
    fmt::print(stderr, "revgan_eval: error: {}\n", e.message());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "revgan_eval: error: {}\n", e.what());
    return 1;
  }
}
