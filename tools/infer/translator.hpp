// Image translation with the generators of a training checkpoint: X -> Y through the shared
// core (AtoB) or Y -> X through its inverse (BtoA), on any image size, on CPU or CUDA: whole
// when the memory budget allows, else in exact tiles (execution_plan.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/image.hpp"
#include "engine/streaming/program.hpp"
#include "models/generator_pair.hpp"
#include "tools/infer/execution_plan.hpp"
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

  // Networks without a streaming program (pix2pix's U-Net: skip connections across the whole
  // image, batch norm): always whole, every side padded to a multiple of `multiple`, one image
  // per call (batch statistics must not mix images), never tiled.
  void set_whole_only(int64_t multiple);
  // Keeps the network in training mode (batch norm with batch statistics, dropout on), as
  // pytorch-CycleGAN-and-pix2pix's test.py does without --eval. Whole-only networks only.
  void use_training_mode();

  int64_t input_channels() const { return in_nc_; }
  int64_t output_channels() const { return out_nc_; }
  const training::TrainOptions& options() const { return options_; }

  // The network on a CPU float32 batch in [-1, 1] (an ImageFn).
  Tensor run(const Tensor& batch) const;
  // Whole or tiled for one image of this size, with the estimates behind the choice (whole-only
  // networks: always whole, without estimates).
  ExecutionPlan plan(int64_t width, int64_t height, const TileOptions& tiles) const;
  // One image of any size: padded, run as plan() says, cropped back. `used`: the plan followed.
  data::Image translate(const data::Image& image, const TileOptions& tiles, ExecutionPlan* used = nullptr) const;
  // Images of one size run as one batch when the batch fits whole; otherwise one by one through
  // translate. `tiled`: incremented per image that ran in tiles.
  std::vector<data::Image> translate_batch(const std::vector<data::Image>& images, const TileOptions& tiles,
                                           int64_t* tiled = nullptr) const;

 private:
  Tensor to_input(const data::Image& image) const;
  // What this translator holds next to the network for `n` images: input tensors, image
  // samples, the cropped outputs and the output images.
  int64_t outside_bytes(int64_t width, int64_t height, int64_t n) const;

  std::shared_ptr<models::GeneratorPair> generators_;
  training::TrainOptions options_;
  bool x_to_y_;
  Device device_;
  int64_t in_nc_, out_nc_;
  streaming::Program program_;
  int64_t whole_multiple_ = 0;  // > 0: whole-only (set_whole_only)
};

}  // namespace revgan::infer
