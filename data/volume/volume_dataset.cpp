// Volume listing, the two folder layouts and patch samples; the heavy work (reading,
// up-sampling, normalising) happens once per volume at construction.
#include "data/volume/volume_dataset.hpp"

#include <algorithm>

#include "data/file_listing.hpp"
#include "data/volume/hdf5_volume.hpp"
#include "engine/core/check.hpp"

namespace revgan::data {

namespace fs = std::filesystem;

bool has_volume_extension(const fs::path& path) { return has_nifti_extension(path) || has_hdf5_extension(path); }

std::vector<fs::path> list_volume_files(const fs::path& folder) {
  return list_files(folder, has_volume_extension, "volume folder");
}

Volume read_volume(const fs::path& path, const std::string& hdf5_dataset, const NiftiReadOptions& nifti) {
  if (has_hdf5_extension(path)) return read_hdf5_volume(path, hdf5_dataset);
  REVGAN_CHECK(has_nifti_extension(path), "{} is not a volume file (.nii, .nii.gz, .h5 or .hdf5)", path.string());
  return read_nifti(path, nifti);
}

VolumeDataset::VolumeDataset(DatasetOptions options, VolumeDatasetOptions volume_options)
    : Dataset(std::move(options)), volume_options_(std::move(volume_options)), sampler_(volume_options_.patch_size) {
  REVGAN_CHECK(volume_options_.patches_per_volume >= 1, "volume dataset: patches_per_volume must be positive, got {}",
               volume_options_.patches_per_volume);
  const fs::path root = this->options().dataroot;
  std::error_code ec;
  paired_ = fs::is_directory(root / "A", ec) && fs::is_directory(root / "B", ec);
  const fs::path target_root = paired_ ? root / "B" : root;
  const auto targets = list_volume_files(target_root);
  REVGAN_CHECK(!targets.empty(), "volume folder {} contains no volumes (.nii .nii.gz .h5 .hdf5)",
               target_root.string());
  for (const fs::path& target : targets) {
    if (volume_count() >= this->options().max_dataset_size) break;
    const fs::path input = paired_ ? root / "A" / target.lexically_relative(target_root) : target;
    REVGAN_CHECK(!paired_ || fs::exists(input, ec), "high-resolution volume {} has no low-resolution partner {}",
                 target.string(), input.string());
    try {
      add_entry(input, target);
    } catch (const Error& e) {
      if (!this->options().skip_unreadable) throw;
      record_skip(target.string(), e.message());
    }
  }
  REVGAN_CHECK(!entries_.empty(), "volume folder {} has no usable volumes ({} skipped)", target_root.string(),
               skipped_count());
}

void VolumeDataset::add_entry(const fs::path& input, const fs::path& target) {
  const auto& o = volume_options_;
  const Volume high = read_volume(target, o.hdf5_dataset, o.nifti);
  VolumePair pair = paired_ ? pair_on_grid(read_volume(input, o.hdf5_dataset, o.nifti), high, o.upsample)
                            : make_super_resolution_pair(high, o.factor, o.upsample);
  const Axes3 extent = pair.target.size();
  for (std::size_t a = 0; a < 3; ++a)
    REVGAN_CHECK(o.patch_size[a] <= extent[a], "volume {} ({}x{}x{} after preparation) is smaller than the patch {}x{}x{}",
                 target.string(), extent[0], extent[1], extent[2], o.patch_size[0], o.patch_size[1], o.patch_size[2]);
  if (o.normalise) {
    const IntensityScale scale = robust_intensity_scale(pair.input, o.normalisation);
    pair.input = normalise(pair.input, scale, o.normalisation.clamp);
    pair.target = normalise(pair.target, scale, o.normalisation.clamp);
  }
  entries_.push_back({input.string(), target.string(), std::move(pair)});
}

int64_t VolumeDataset::size() const { return volume_count() * volume_options_.patches_per_volume; }

const VolumePair& VolumeDataset::pair(int64_t volume) const {
  REVGAN_CHECK(volume >= 0 && volume < volume_count(), "volume dataset: volume {} out of range (0..{})", volume,
               volume_count() - 1);
  return entries_[static_cast<std::size_t>(volume)].pair;
}

Sample VolumeDataset::get(int64_t index, uint64_t epoch) const {
  REVGAN_CHECK(index >= 0 && index < size(), "volume dataset {}: index {} out of range (size {})",
               options().dataroot.string(), index, size());
  const Entry& entry = entries_[static_cast<std::size_t>(volume_of(index))];
  Generator gen = sample_generator(options().seed, epoch, index);
  PatchPair patch = sampler_.sample(entry.pair, gen);
  return {std::move(patch.input), std::move(patch.target), entry.input_path, entry.target_path};
}

}  // namespace revgan::data
