// revgan_datagen: writes procedural street-scene datasets (photo <-> label) in the pix2pix
// (aligned) and CycleGAN (unaligned) folder layouts, or splits a volume into a training half and
// a held-out half (the 3D super-resolution demo's data).
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "data/procedural/writers.hpp"
#include "data/volume/nifti_io.hpp"
#include "data/volume/resample.hpp"
#include "data/volume/volume_dataset.hpp"
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
  std::string volume;
  std::string axis = "W";
  std::string factor;
};

int axis_index(const std::string& axis) { return axis == "D" ? 0 : axis == "H" ? 1 : 2; }

// OUT/train/<name>.nii.gz and OUT/test/<name>.nii.gz: the two halves of the volume, float32;
// with a factor also OUT/test_low/<name>.nii.gz, the held-out half block-averaged by it.
void write_volume_halves(const std::filesystem::path& root, const std::filesystem::path& volume,
                         const std::string& axis, const std::string& factor) {
  const revgan::data::Volume whole = revgan::data::read_volume(volume);
  const auto halves = revgan::data::split_in_halves(whole, axis_index(axis));
  std::string name = volume.filename().string();
  for (const char* ext : {".nii.gz", ".nii", ".h5", ".hdf5"})
    if (name.size() > std::string(ext).size() && name.ends_with(ext)) name.resize(name.size() - std::string(ext).size());
  const char* folders[2] = {"train", "test"};
  for (std::size_t i = 0; i < 2; ++i) {
    std::filesystem::create_directories(root / folders[i]);
    revgan::data::write_nifti(root / folders[i] / (name + ".nii.gz"), halves[i]);
    fmt::print("revgan_datagen: {}/{}.nii.gz: {}x{}x{} (D, H, W)\n", folders[i], name, halves[i].depth,
               halves[i].height, halves[i].width);
  }
  if (factor.empty()) return;
  const revgan::data::Volume low =
      revgan::data::make_low_resolution(halves[1], revgan::data::parse_axes("factor", factor));
  std::filesystem::create_directories(root / "test_low");
  revgan::data::write_nifti(root / "test_low" / (name + ".nii.gz"), low);
  fmt::print("revgan_datagen: test_low/{}.nii.gz: {}x{}x{} (D, H, W), factor {}\n", name, low.depth, low.height,
             low.width, factor);
}

const revgan::OptionTable<Options>& option_table() {
  static const revgan::OptionTable<Options> table({
      {"out", &Options::out, "output folder (required)", nullptr, "DIR"},
      {"kind", &Options::kind,
       "aligned (DIR/train, DIR/test with photo|label side by side) | unaligned (DIR/trainA, trainB, testA, testB "
       "from disjoint scenes) | both (DIR/aligned and DIR/unaligned) | halves (--volume cut across --axis into "
       "DIR/train/NAME.nii.gz, the first half, and DIR/test/NAME.nii.gz, the second)"},
      {"size", &Options::size, "image size in pixels, 64..256", nullptr, "N"},
      {"train", &Options::train, "training images per folder", nullptr, "N"},
      {"test", &Options::test, "test images per folder", nullptr, "N"},
      {"seed", &Options::seed, "random seed", nullptr, "N"},
      {"volume", &Options::volume, "halves: the volume to split (NIfTI or HDF5)", nullptr, "FILE"},
      {"axis", &Options::axis, "halves: the axis to cut across, D, H or W (NIfTI z, y, x; W: left / right)", nullptr,
       "D|H|W"},
      {"factor", &Options::factor,
       "halves: also write DIR/test_low/NAME.nii.gz, the held-out half block-averaged by this factor (N or D,H,W), "
       "as revgan_train synthesises its low-resolution inputs",
       nullptr, "F"},
  });
  return table;
}

void check(const revgan::ParsedOptions<Options>& parsed) {
  const Options& o = parsed.options;
  REVGAN_CHECK(parsed.was_given("out"), "--out DIR is required");
  REVGAN_CHECK(o.kind == "aligned" || o.kind == "unaligned" || o.kind == "both" || o.kind == "halves",
               "--kind must be aligned, unaligned, both or halves, got '{}'", o.kind);
  REVGAN_CHECK((o.kind == "halves") == parsed.was_given("volume"), "--volume FILE goes with --kind halves (only)");
  REVGAN_CHECK(o.kind == "halves" || (!parsed.was_given("axis") && !parsed.was_given("factor")),
               "--axis and --factor apply to --kind halves only");
  if (!o.factor.empty()) revgan::data::parse_axes("factor", o.factor);
  REVGAN_CHECK(o.axis == "D" || o.axis == "H" || o.axis == "W", "--axis must be D, H or W, got '{}'", o.axis);
  REVGAN_CHECK(o.size >= 64 && o.size <= 256, "--size must be in 64..256, got {}", o.size);
  REVGAN_CHECK(o.train >= 0 && o.test >= 0, "--train and --test must be >= 0");
}

}  // namespace

int main(int argc, char** argv) {
  namespace proc = revgan::data::procedural;
  const auto args = revgan::tools::parse_tool_args<Options>(
      "revgan_datagen",
      "usage: revgan_datagen --out DIR [options]\n"
      "Writes synthetic street scenes: A = photo, B = semantic label (Cityscapes colours), or\n"
      "(--kind halves) a volume's two halves as a training and a held-out set.\n",
      option_table(), argc, argv, check);
  if (!args.options) return args.exit_code;
  const Options& o = *args.options;
  try {
    const auto start = std::chrono::steady_clock::now();
    const std::filesystem::path root = o.out;
    std::size_t files = 0;
    if (o.kind == "halves") {
      write_volume_halves(root, o.volume, o.axis, o.factor);
      fmt::print("revgan_datagen: split {} across {} into {}/train and {}/test\n", o.volume, o.axis, o.out, o.out);
      return 0;
    }
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
