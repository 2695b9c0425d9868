// revgan_datagen: writes procedural street-scene datasets (photo <-> label) in the pix2pix
// (aligned) and CycleGAN (unaligned) folder layouts.
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <algorithm>
#include <filesystem>
#include <map>
#include <string>

#include "data/procedural/writers.hpp"
#include "engine/core/check.hpp"

namespace {

struct Options {
  std::string out;
  std::string kind = "aligned";
  int64_t size = 128;
  int64_t train = 200;
  int64_t test = 50;
  uint64_t seed = 1;
};

void print_help() {
  fmt::print(
      "usage: revgan_datagen --out DIR [options]\n"
      "Writes synthetic street scenes: A = photo, B = semantic label (Cityscapes colours).\n\n"
      "  --out DIR        output folder (required)\n"
      "  --kind KIND      aligned | unaligned | both (default aligned)\n"
      "                   aligned:   DIR/train, DIR/test with photo|label side by side\n"
      "                   unaligned: DIR/trainA, trainB, testA, testB from disjoint scenes\n"
      "                   both:      DIR/aligned and DIR/unaligned\n"
      "  --size N         image size in pixels, 64..256 (default 128)\n"
      "  --train N        training images per folder (default 200)\n"
      "  --test N         test images per folder (default 50)\n"
      "  --seed N         random seed (default 1)\n"
      "  --help           this text\n");
}

// Thrown for command-line mistakes, which exit with status 2.
struct UsageError {
  std::string message;
};

int64_t parse_int(const std::string& name, const std::string& text) {
  try {
    std::size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  throw UsageError{fmt::format("{} expects an integer, got '{}'", name, text)};
}

Options parse(int argc, char** argv, bool& help) {
  Options o;
  std::map<std::string, std::string> values;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      help = true;
      return o;
    }
    std::string value;
    if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      throw UsageError{fmt::format("{} needs a value (or unknown option)", arg)};
    }
    static const char* known[] = {"--out", "--kind", "--size", "--train", "--test", "--seed"};
    if (std::find(std::begin(known), std::end(known), arg) == std::end(known))
      throw UsageError{fmt::format("unknown option '{}'", arg)};
    values[arg] = value;
  }
  if (!values.contains("--out")) throw UsageError{"--out DIR is required"};
  o.out = values["--out"];
  if (values.contains("--kind")) o.kind = values["--kind"];
  if (o.kind != "aligned" && o.kind != "unaligned" && o.kind != "both")
    throw UsageError{fmt::format("--kind must be aligned, unaligned or both, got '{}'", o.kind)};
  if (values.contains("--size")) o.size = parse_int("--size", values["--size"]);
  if (values.contains("--train")) o.train = parse_int("--train", values["--train"]);
  if (values.contains("--test")) o.test = parse_int("--test", values["--test"]);
  if (values.contains("--seed")) o.seed = static_cast<uint64_t>(parse_int("--seed", values["--seed"]));
  if (o.size < 64 || o.size > 256) throw UsageError{fmt::format("--size must be in 64..256, got {}", o.size)};
  if (o.train < 0 || o.test < 0) throw UsageError{"--train and --test must be >= 0"};
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  namespace proc = revgan::data::procedural;
  Options o;
  try {
    bool help = false;
    o = parse(argc, argv, help);
    if (help) {
      print_help();
      return 0;
    }
  } catch (const UsageError& e) {
    fmt::print(stderr, "revgan_datagen: {}\n(see --help)\n", e.message);
    return 2;
  }
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
