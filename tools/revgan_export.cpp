// revgan_export: writes one network of a revgan_train checkpoint as a PyTorch state dict (.pth,
// torch.save's zip format) that torch.load reads and load_state_dict(strict=True) accepts into
// the matching PyTorch network (see docs/interop.md).
#include <fmt/format.h>

#include <string>

#include "engine/core/check.hpp"
#include "engine/io/pth/pth_writer.hpp"
#include "tools/common/tool_args.hpp"
#include "tools/export/pth_export.hpp"

namespace {

struct ExportArgs {
  std::string checkpoint, format = "pth", out, net, names = "official";
};

const revgan::OptionTable<ExportArgs>& option_table() {
  static const revgan::OptionTable<ExportArgs> table({
      {"checkpoint", &ExportArgs::checkpoint, "a checkpoint written by revgan_train (required)", nullptr, "FILE"},
      {"format", &ExportArgs::format, "output format: pth (a PyTorch state dict, zip serialisation)", nullptr, "pth"},
      {"out", &ExportArgs::out, "the file to write (required; replaced atomically)", nullptr, "FILE"},
      {"net", &ExportArgs::net,
       "the network to write. cyclegan: G_A | G_B | D_A | D_B; pix2pix: G | D; revgan (2D): G_A_enc | G_core | "
       "G_A_dec | G_B_enc | G_B_dec | D_A | D_B; with --names ours: G | D_A | D_B",
       "G_A, G or G_A_enc (the first)", "NAME"},
      {"names", &ExportArgs::names,
       "official: the parameter names of the PyTorch code the model reproduces (pytorch-CycleGAN-and-pix2pix, the "
       "official RevGAN code); ours: revgan-engine's own parameter paths (the only choice for 3D models)",
       nullptr, "official|ours"},
  });
  return table;
}

void check(const revgan::ParsedOptions<ExportArgs>& parsed) {
  REVGAN_CHECK(parsed.was_given("checkpoint"), "--checkpoint is required");
  REVGAN_CHECK(parsed.was_given("out"), "--out is required");
  REVGAN_CHECK(parsed.options.format == "pth", "--format must be pth, got '{}'", parsed.options.format);
  REVGAN_CHECK(parsed.options.names == "official" || parsed.options.names == "ours",
               "--names must be official or ours, got '{}'", parsed.options.names);
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = revgan::tools::parse_tool_args<ExportArgs>(
      "revgan_export",
      "usage: revgan_export --checkpoint X.h5 --format pth --out FILE [--net NAME] [--names official|ours]\n"
      "Writes one network of a revgan_train checkpoint as a PyTorch state dict.\n"
      "Exit status: 0 success, 1 error (message on stderr), 2 usage error.\n",
      option_table(), argc, argv, check);
  if (!args.options) return args.exit_code;
  const ExportArgs& a = *args.options;
  try {
    const revgan::exporting::ExportedNetwork e = revgan::exporting::export_network({a.checkpoint, a.net, a.names});
    revgan::io::pth::write_pth(a.out, e.state);
    fmt::print("revgan_export: wrote {} ({} of '{}', {} tensors) to {}\n  load it into {}\n", a.out, e.net, e.model,
               e.state.entries.size(), a.out, e.description);
    return 0;
  } catch (const revgan::Error& e) {
    fmt::print(stderr, "revgan_export: error: {}\n", e.message());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "revgan_export: error: {}\n", e.what());
    return 1;
  }
}
