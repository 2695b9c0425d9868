// The single layout: every image under dataroot/ itself (no phase folder), A only, for inference.
#include "data/preprocess.hpp"
#include "engine/core/check.hpp"

namespace revgan::data {

SingleDataset::SingleDataset(DatasetOptions options) : Dataset(std::move(options)) {
  files_ = scan_folder(this->options().dataroot, 1);
}

Sample SingleDataset::get(int64_t index, uint64_t epoch) const {
  REVGAN_CHECK(index >= 0 && index < size(), "single dataset {}: index {} outside [0, {})",
               options().dataroot.string(), index, size());
  const DatasetOptions& o = options();
  Generator gen = sample_generator(o.seed, epoch, index);
  Loaded a = read_with_fallback(files_, index);
  const CropFlip params = draw_crop_flip(o, a.image.width, a.image.height, gen);
  Sample s;
  s.A = preprocess_image(a.image, o.input_nc, o, params, a.path);
  s.A_path = std::move(a.path);
  return s;
}

}  // namespace revgan::data
