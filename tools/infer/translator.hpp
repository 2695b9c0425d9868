// Image translation with the generators of a training checkpoint: X -> Y through the shared
// core (AtoB) or Y -> X through its inverse (BtoA), on any image size, on CPU or CUDA.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/image.hpp"
#include "models/generator_pair.hpp"
#include "training/options.hpp"
#include "tools/infer/tiling.hpp"

namespace revgan::infer {

class Translator {
 public:
  // `x_to_y`: g_xy (AtoB) or g_yx (BtoA). Moves the generators to `device`.
  Translator(std::shared_ptr<models::GeneratorPair> generators, const training::TrainOptions& options, bool x_to_y,
             Device device);
  // Reads the options stored in a revgan_train checkpoint, rebuilds the generators and loads
  // only their weights. Errors name the file and say what does not match.
  static Translator from_checkpoint(const std::filesystem::path& checkpoint, bool x_to_y, Device device);

  int64_t input_channels() const { return in_nc_; }
  int64_t output_channels() const { return out_nc_; }
  const training::TrainOptions& options() const { return options_; }

  // The network on a CPU float32 batch in [-1, 1] (an ImageFn).
  Tensor run(const Tensor& batch) const;
  // One image of any size: padded, tiled when larger than the tile, cropped back.
  data::Image translate(const data::Image& image, const TileOptions& tiles) const;
  // Images of one size that fit in a tile, run as one batch (others fall back to translate).
  std::vector<data::Image> translate_batch(const std::vector<data::Image>& images, const TileOptions& tiles) const;

 private:
  Tensor to_input(const data::Image& image) const;

  std::shared_ptr<models::GeneratorPair> generators_;
  training::TrainOptions options_;
  bool x_to_y_;
  Device device_;
  int64_t in_nc_, out_nc_;
};

}  // namespace revgan::infer
