// The 3D super-resolution dataset: patches of (low-res up-sampled, high-res) volume pairs as
// Samples, so the ordinary Loader batches them into [N, C, D, H, W].
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.hpp"
#include "data/volume/intensity.hpp"
#include "data/volume/nifti_io.hpp"
#include "data/volume/patch_sampler.hpp"

namespace revgan::data {

struct VolumeDatasetOptions {
  Axes3 factor{2, 2, 2};           // (D, H, W) block-average factor when low-res is synthesised
  Axes3 patch_size{24, 24, 24};    // (D, H, W)
  int64_t patches_per_volume = 8;  // samples drawn from each volume in one epoch
  Interpolation upsample = Interpolation::trilinear;  // low-resolution input -> high-resolution grid
  bool normalise = true;
  NormaliseOptions normalisation;
  std::string hdf5_dataset = "volume";
  NiftiReadOptions nifti;
};

// .nii, .nii.gz, .h5 and .hdf5 files under `folder` (recursive, as list_image_files: symlinks
// followed, cycles not, hidden entries skipped, sorted, paths as listed).
std::vector<std::filesystem::path> list_volume_files(const std::filesystem::path& folder);
bool has_volume_extension(const std::filesystem::path& path);
// NIfTI or HDF5 by extension.
Volume read_volume(const std::filesystem::path& path, const std::string& hdf5_dataset = "volume",
                   const NiftiReadOptions& nifti = {});

// Layouts, under DatasetOptions::dataroot:
//   dataroot/A/ and dataroot/B/: paired low-res (A) and high-res (B) volumes with the same
//     relative paths; A is up-sampled onto B's grid.
//   otherwise dataroot/ itself holds high-res volumes; the low-res side is their block
//     average by `factor` (each volume cropped to a multiple of it first).
// Sample::A is the up-sampled low-res patch (the network input), Sample::B the high-res patch,
// both [C, d, h, w]. Each pair is normalised with the intensity scale of its input, the only
// side known at inference, so intensity(v) maps outputs back to the source units. All pairs
// are loaded and prepared at construction; sample i of epoch e is volume i % volume_count()
// at an origin drawn from sample_generator(seed, e, i). Of DatasetOptions only dataroot,
// max_dataset_size (volumes), skip_unreadable and seed apply.
class VolumeDataset final : public Dataset {
 public:
  VolumeDataset(DatasetOptions options, VolumeDatasetOptions volume_options);
  int64_t size() const override;
  Sample get(int64_t index, uint64_t epoch = 0) const override;

  bool paired() const { return paired_; }
  int64_t volume_count() const { return static_cast<int64_t>(entries_.size()); }
  int64_t volume_of(int64_t index) const { return index % volume_count(); }
  const VolumePair& pair(int64_t volume) const;
  const IntensityScale& intensity(int64_t volume) const { return pair(volume).input.intensity; }
  const VolumeDatasetOptions& volume_options() const { return volume_options_; }

 private:
  struct Entry {
    std::string input_path;
    std::string target_path;
    VolumePair pair;
  };
  void add_entry(const std::filesystem::path& input, const std::filesystem::path& target);

  VolumeDatasetOptions volume_options_;
  PatchSampler sampler_;
  bool paired_ = false;
  std::vector<Entry> entries_;
};

}  // namespace revgan::data
