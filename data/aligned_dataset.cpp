// The aligned layout: each file of dataroot/phase/ holds A (left half) and B (right half) of one
// pair; one crop/flip draw is shared by both halves so the pair stays pixel-aligned.
#include "data/preprocess.hpp"
#include "engine/core/check.hpp"

namespace revgan::data {

AlignedDataset::AlignedDataset(DatasetOptions options) : Dataset(std::move(options)) {
  files_ = scan_folder(this->options().dataroot / this->options().phase, 2);
}

Sample AlignedDataset::get(int64_t index, uint64_t epoch) const {
  REVGAN_CHECK(index >= 0 && index < size(), "aligned dataset {}: index {} outside [0, {})",
               options().dataroot.string(), index, size());
  const DatasetOptions& o = options();
  Generator gen = sample_generator(o.seed, epoch, index);
  Loaded ab = read_with_fallback(files_, index);
  // An odd width loses its last column so both halves have the same size.
  const int64_t half = ab.image.width / 2;
  REVGAN_CHECK(half > 0, "image {} is too narrow to hold A|B side by side", ab.path);
  Image left = crop(ab.image, 0, 0, half, ab.image.height);
  Image right = crop(ab.image, half, 0, half, ab.image.height);
  if (o.direction == Direction::BtoA) std::swap(left, right);

  const CropFlip params = draw_crop_flip(o, half, ab.image.height, gen);
  Sample s;
  s.A = preprocess_image(left, o.input_nc, o, params, ab.path);
  s.B = preprocess_image(right, o.output_nc, o, params, ab.path);
  s.A_path = ab.path;
  s.B_path = ab.path;
  return s;
}

}  // namespace revgan::data
