// The unaligned (CycleGAN) layout: dataroot/phaseA/ and dataroot/phaseB/ hold unpaired images.
// Sample i takes A[i % |A|] and a B chosen by the sample's own generator (or B[i % |B|] under
// serial_batches); A and B get independent crops and flips.
#include <algorithm>

#include "data/preprocess.hpp"
#include "engine/core/check.hpp"

namespace revgan::data {

UnalignedDataset::UnalignedDataset(DatasetOptions options) : Dataset(std::move(options)) {
  const DatasetOptions& o = this->options();
  const auto folder_A = o.dataroot / (o.phase + "A");
  const auto folder_B = o.dataroot / (o.phase + "B");
  // Both folders are checked before either is scanned, so a missing one is reported first.
  for (const auto& folder : {folder_A, folder_B}) {
    std::error_code ec;
    REVGAN_CHECK(std::filesystem::is_directory(folder, ec), "unaligned dataset {}: folder {} does not exist",
                 o.dataroot.string(), folder.string());
  }
  files_A_ = scan_folder(folder_A, 1);
  files_B_ = scan_folder(folder_B, 1);
  if (o.direction == Direction::BtoA) std::swap(files_A_, files_B_);
}

int64_t UnalignedDataset::size() const { return std::max(size_A(), size_B()); }

Sample UnalignedDataset::get(int64_t index, uint64_t epoch) const {
  REVGAN_CHECK(index >= 0 && index < size(), "unaligned dataset {}: index {} outside [0, {})",
               options().dataroot.string(), index, size());
  const DatasetOptions& o = options();
  Generator gen = sample_generator(o.seed, epoch, index);
  const int64_t index_B = o.serial_batches ? index % size_B() : static_cast<int64_t>(gen.below(size_B()));
  Loaded a = read_with_fallback(files_A_, index % size_A());
  Loaded b = read_with_fallback(files_B_, index_B);
  const CropFlip params_A = draw_crop_flip(o, a.image.width, a.image.height, gen);
  const CropFlip params_B = draw_crop_flip(o, b.image.width, b.image.height, gen);
  Sample s;
  s.A = preprocess_image(a.image, o.input_nc, o, params_A, a.path);
  s.B = preprocess_image(b.image, o.output_nc, o, params_B, b.path);
  s.A_path = std::move(a.path);
  s.B_path = std::move(b.path);
  return s;
}

}  // namespace revgan::data
