// revgan_eval: scores translated images against ground truth, either as label maps (pixel /
// class accuracy and IoU over the built-in palette) or as images (MAE, PSNR, SSIM).
#include <fmt/format.h>

#include <string>

#include "engine/core/check.hpp"
#include "engine/io/atomic_file.hpp"
#include "tools/common/tool_args.hpp"
#include "data/volume/volume.hpp"
#include "tools/eval/evaluate.hpp"
#include "tools/eval/volume_eval.hpp"

namespace {

struct EvalArgs {
  std::string pred, truth, kind, truth_part = "whole", json, factor = "2", low, slices;
};

const revgan::OptionTable<EvalArgs>& option_table() {
  static const revgan::OptionTable<EvalArgs> table({
      {"pred", &EvalArgs::pred, "predicted images or volumes (required)", nullptr, "DIR|FILE"},
      {"truth", &EvalArgs::truth, "ground truth (required)", nullptr, "DIR|FILE"},
      {"kind", &EvalArgs::kind,
       "labels: each pixel is mapped to the nearest colour of the built-in street-scene palette; pixel accuracy, "
       "per-class accuracy and IoU, mean class accuracy and mean IoU (classes absent from both truth and prediction "
       "are left out of the means). images: MAE, PSNR and SSIM on the [0, 255] scale, averaged over images (SSIM: "
       "Gaussian window 11, sigma 1.5, K1 0.01, K2 0.03, per colour channel then averaged, mean over the valid "
       "region). volumes: PSNR, SSIM and MAE of NIfTI / HDF5 volumes against the high-resolution truth, next to the "
       "interpolation baselines (L = truth max - min; SSIM with a 3D Gaussian window 11, sigma 1.5) (required)",
       nullptr, "labels|images|volumes"},
      {"factor", &EvalArgs::factor,
       "volumes: down-sampling factor, one value or D,H,W; the baselines' input is the truth block-averaged by it, "
       "unless --low",
       nullptr, "F"},
      {"low", &EvalArgs::low, "volumes: the low-resolution inputs (same names as the truth)", nullptr, "DIR|FILE"},
      {"slices", &EvalArgs::slices,
       "volumes: write the middle slice across D, H and W of nearest, trilinear, cubic, the model and the truth, "
       "side by side on the truth's grey window, as DIR/NAME_D.png, NAME_H.png, NAME_W.png",
       nullptr, "DIR"},
      {"truth_part", &EvalArgs::truth_part,
       "whole | A | B: compare with the whole truth image or with the left (A) / right (B) half of pix2pix aligned "
       "A|B images"},
      {"json", &EvalArgs::json,
       "also write the results as JSON. Identical images have an infinite PSNR, written as the string \"inf\"; "
       "undefined values are null",
       nullptr, "FILE"},
  });
  return table;
}

void check(const revgan::ParsedOptions<EvalArgs>& parsed) {
  const EvalArgs& a = parsed.options;
  REVGAN_CHECK(parsed.was_given("pred"), "--pred is required");
  REVGAN_CHECK(parsed.was_given("truth"), "--truth is required");
  REVGAN_CHECK(parsed.was_given("kind"), "--kind is required (labels, images or volumes)");
  REVGAN_CHECK(a.kind == "labels" || a.kind == "images" || a.kind == "volumes",
               "--kind must be labels | images | volumes, got '{}'", a.kind);
  REVGAN_CHECK(a.kind == "volumes" || (!parsed.was_given("factor") && !parsed.was_given("low") &&
                                        !parsed.was_given("slices")),
               "--factor, --low and --slices apply to --kind volumes only");
  REVGAN_CHECK(a.kind != "volumes" || !parsed.was_given("truth_part"), "--truth-part does not apply to volumes");
  revgan::data::parse_axes("factor", a.factor);
  revgan::eval::parse_half(a.truth_part);
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = revgan::tools::parse_tool_args<EvalArgs>(
      "revgan_eval",
      "usage: revgan_eval --pred DIR --truth DIR --kind labels|images|volumes [options]\n"
      "Pairs every prediction with the truth file of the same relative name (extensions may\n"
      "differ), prints a table and optionally writes JSON.\n"
      "Exit status: 0 success, 1 error (message on stderr), 2 usage error.\n",
      option_table(), argc, argv, check);
  if (!args.options) return args.exit_code;
  const EvalArgs& a = *args.options;
  const std::string &kind = a.kind, &pred = a.pred, &truth = a.truth, &part = a.truth_part, &json = a.json,
                    &low = a.low;
  const revgan::data::Axes3 factor = revgan::data::parse_axes("factor", a.factor);
  try {
    namespace ev = revgan::eval;
    ev::Evaluation result;
    if (kind == "volumes") {
      ev::VolumeEvalOptions options;
      options.factor = factor;
      options.slices = a.slices;
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
