// revgan_datagen: writes procedural street-scene datasets (photo <-> label) in the pix2pix
// (aligned) and CycleGAN (unaligned) folder layouts.
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "data/procedural/writers.hpp"
#include "engine/core/check.hpp"
#include "tools/common/tool_args.hpp"

namespace {

struct Options {
  std::string out;
  std::string kind = "aligned";
  int64_t size = 128;
  int64_t train = 200;
  int64_t test = 50;
  uint64_t seed = 1;
};

const revgan::OptionTable<Options>& option_table() {
  static const revgan::OptionTable<Options> table({
      {"out", &Options::out, "output folder (required)", nullptr, "DIR"},
      {"kind", &Options::kind,
       "aligned (DIR/train, DIR/test with photo|label side by side) | unaligned (DIR/trainA, trainB, testA, testB "
       "from disjoint scenes) | both (DIR/aligned and DIR/unaligned)"},
      {"size", &Options::size, "image size in pixels, 64..256", nullptr, "N"},
      {"train", &Options::train, "training images per folder", nullptr, "N"},
      {"test", &Options::test, "test images per folder", nullptr, "N"},
      {"seed", &Options::seed, "random seed", nullptr, "N"},
  });
  return table;
}

void check(const revgan::ParsedOptions<Options>& parsed) {
  const Options& o = parsed.options;
  REVGAN_CHECK(parsed.was_given("out"), "--out DIR is required");
  REVGAN_CHECK(o.kind == "aligned" || o.kind == "unaligned" || o.kind == "both",
               "--kind must be aligned, unaligned or both, got '{}'", o.kind);
  REVGAN_CHECK(o.size >= 64 && o.size <= 256, "--size must be in 64..256, got {}", o.size);
  REVGAN_CHECK(o.train >= 0 && o.test >= 0, "--train and --test must be >= 0");
}

}  // namespace

int main(int argc, char** argv) {
  namespace proc = revgan::data::procedural;
  const auto args = revgan::tools::parse_tool_args<Options>(
      "revgan_datagen",
      "usage: revgan_datagen --out DIR [options]\n"
      "Writes synthetic street scenes: A = photo, B = semantic label (Cityscapes colours).\n",
      option_table(), argc, argv, check);
  if (!args.options) return args.exit_code;
  const Options& o = *args.options;
  try {
    const auto start = std::chrono::steady_clock::now();
    const std::filesystem::path root = o.out;
    std::size_t files = 0;
    if (o.kind == "aligned" || o.kind == "both")
      files += proc::write_aligned_dataset(o.kind == "both" ? root / "aligned" : root, o.train, o.test, o.size, o.seed)
                   .size();
    if (o.kind == "unaligned" || o.kind == "both")
      files +=
          proc::write_unaligned_dataset(o.kind == "both" ? root / "unaligned" : root, o.train, o.test, o.size, o.seed)
              .size();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("revgan_datagen: wrote {} images ({}x{}, {}) to {} in {:.2f} s\n", files, o.size, o.size, o.kind,
               o.out, seconds);
    return 0;
  } catch (const revgan::Error& e) {
    fmt::print(stderr, "revgan_datagen: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "revgan_datagen: error: {}\n", e.what());
    return 1;
  }
}
