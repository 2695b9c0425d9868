// The pix2pix / CycleGAN dataset layouts (aligned, unaligned, single) with their preprocessing
// options, and the Sample / Batch types they produce. Sample i of epoch e depends only on
// (seed, e, i), so any thread may build any sample and get the same result.
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "data/image.hpp"
#include "engine/tensor/random.hpp"
#include "engine/tensor/tensor.hpp"

namespace revgan::data {

enum class Preprocess { resize_and_crop, crop, scale_width, scale_width_and_crop, none };
enum class Direction { AtoB, BtoA };
Preprocess parse_preprocess(std::string_view text);
std::string_view preprocess_name(Preprocess p);
Direction parse_direction(std::string_view text);

// Names follow pytorch-CycleGAN-and-pix2pix's options.
struct DatasetOptions {
  std::filesystem::path dataroot;
  std::string phase = "train";
  Direction direction = Direction::AtoB;
  Preprocess preprocess = Preprocess::resize_and_crop;
  int64_t load_size = 286;
  int64_t crop_size = 256;
  bool no_flip = false;
  int64_t input_nc = 3;   // channels of Sample::A (the network input)
  int64_t output_nc = 3;  // channels of Sample::B (the target)
  bool serial_batches = false;  // unaligned: B[i % |B|] instead of a random B
  int64_t max_dataset_size = std::numeric_limits<int64_t>::max();
  bool skip_unreadable = false;  // drop unreadable files (counted) instead of failing
  uint64_t seed = 0;
  // What the networks need, checked per file when the dataset is built (not mid-epoch): every
  // image at least min_side x min_side after preprocessing, and, for batches of more than one,
  // all images of a folder of one size after preprocessing.
  int64_t min_side = 1;
  bool one_size = false;
};

// Direction is applied by the datasets: A is always the network input and B the target, so
// BtoA swaps the halves of an aligned image or the folders of an unaligned dataset.
struct Sample {
  Tensor A;  // [input_nc, H, W] in [-1, 1]
  Tensor B;  // [output_nc, H, W]; undefined for the single dataset
  std::string A_path;
  std::string B_path;
};

struct Batch {
  Tensor A;  // [N, C, H, W]
  Tensor B;  // undefined when the samples have no B
  std::vector<std::string> A_paths;
  std::vector<std::string> B_paths;
  uint64_t epoch = 0;
  int64_t index = 0;  // batch number within the epoch
  int64_t size() const { return static_cast<int64_t>(A_paths.size()); }
};

// Stacks samples; their shapes must agree (the error names the first mismatching file).
Batch collate(const std::vector<Sample>& samples);

// The generator of one sample: a hash of (seed, epoch, index), independent of thread timing.
Generator sample_generator(uint64_t seed, uint64_t epoch, int64_t index);

// Image files under `folder` (recursive, following symlinked files and folders but not link
// cycles, hidden entries skipped, sorted by path as listed: never resolved; extensions
// .png .jpg .jpeg .bmp .tga .ppm .pgm in any case). Errors when the folder is missing.
std::vector<std::filesystem::path> list_image_files(const std::filesystem::path& folder);
bool has_image_extension(const std::filesystem::path& path);

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  // Thread-safe and deterministic in (options().seed, epoch, index).
  virtual Sample get(int64_t index, uint64_t epoch = 0) const = 0;
  const DatasetOptions& options() const { return options_; }
  // Files dropped under skip_unreadable, at construction or when decoding failed later.
  struct SkippedFile {
    std::string path;
    std::string reason;
  };
  int64_t skipped_count() const;
  std::vector<SkippedFile> skipped_files() const;

 protected:
  explicit Dataset(DatasetOptions options);
  // Lists and probes `folder`: unreadable files fail (or are skipped), and images that the
  // preprocessing cannot handle fail here rather than mid-epoch. `width_divisor` is 2 for A|B images.
  std::vector<std::filesystem::path> scan_folder(const std::filesystem::path& folder, int64_t width_divisor) const;
  void record_skip(const std::string& path, const std::string& reason) const;
  // Reads files[i]; under skip_unreadable a failure records the file and moves on to the next
  // index (cyclically), so a sample is still produced and the choice stays deterministic.
  struct Loaded {
    std::string path;
    Image image;
  };
  Loaded read_with_fallback(const std::vector<std::filesystem::path>& files, int64_t index) const;

 private:
  DatasetOptions options_;
  mutable std::mutex skip_mutex_;
  mutable std::vector<SkippedFile> skipped_;
};

// "aligned": dataroot/phase/ holds A|B side-by-side images.
class AlignedDataset final : public Dataset {
 public:
  explicit AlignedDataset(DatasetOptions options);
  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  Sample get(int64_t index, uint64_t epoch = 0) const override;

 private:
  std::vector<std::filesystem::path> files_;
};

// "unaligned": dataroot/phaseA/ and dataroot/phaseB/; an epoch has max(|A|, |B|) samples.
class UnalignedDataset final : public Dataset {
 public:
  explicit UnalignedDataset(DatasetOptions options);
  int64_t size() const override;
  Sample get(int64_t index, uint64_t epoch = 0) const override;
  int64_t size_A() const { return static_cast<int64_t>(files_A_.size()); }
  int64_t size_B() const { return static_cast<int64_t>(files_B_.size()); }

 private:
  std::vector<std::filesystem::path> files_A_, files_B_;
};

// "single": every image of dataroot/ itself, for inference; only A is set.
class SingleDataset final : public Dataset {
 public:
  explicit SingleDataset(DatasetOptions options);
  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  Sample get(int64_t index, uint64_t epoch = 0) const override;

 private:
  std::vector<std::filesystem::path> files_;
};

// mode: "aligned", "unaligned" or "single".
std::unique_ptr<Dataset> make_dataset(std::string_view mode, const DatasetOptions& options);

}  // namespace revgan::data
