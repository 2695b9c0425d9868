// 3D super-resolution inference with a RevGAN 3D checkpoint: the low-resolution volume is
// up-sampled onto the high-resolution grid and normalised as in training (its options upsample
// and intensity_clamp), run through the generator (whole when the memory budget allows, else in
// exact cubic tiles) and mapped back to the source units.
#pragma once

#include <filesystem>
#include <memory>

#include "data/volume/volume.hpp"
#include "engine/streaming/program.hpp"
#include "models/generator_pair.hpp"
#include "training/options.hpp"
#include "tools/infer/folder.hpp"
#include "tools/infer/tiling.hpp"

namespace revgan::infer {

class VolumeTranslator {
 public:
  VolumeTranslator(std::shared_ptr<models::GeneratorPair> generators, const training::TrainOptions& options, bool x_to_y,
                   Device device);
  static VolumeTranslator from_checkpoint(const std::filesystem::path& checkpoint, bool x_to_y, Device device);

  // `factor` (D, H, W): the input is up-sampled to factor x its size first ({1, 1, 1}: the input
  // is already on the output grid). The result carries the up-sampled grid's geometry.
  // `used`: whole or tiled, with the estimates behind the choice.
  data::Volume translate(const data::Volume& input, const data::Axes3& factor, const TileOptions& tiles,
                         ExecutionPlan* used = nullptr) const;
  const training::TrainOptions& options() const { return options_; }

 private:
  std::shared_ptr<models::GeneratorPair> generators_;
  training::TrainOptions options_;
  bool x_to_y_;
  Device device_;
  int64_t in_nc_;
  streaming::Program program_;
};

// Volumes: cubes of 64 voxels when tiled, no size multiple (the 3D generator has no strides),
// at least 2 voxels a side (reflection padding of 1 inside F and G).
TileOptions default_volume_tiles();

struct VolumeJob {
  std::filesystem::path input;   // a .nii / .nii.gz / .h5 / .hdf5 file or a folder of them
  std::filesystem::path output;  // folder; outputs keep the input names and formats
  data::Axes3 factor{2, 2, 2};
  TileOptions tiles = default_volume_tiles();
};

FolderResult translate_volume_folder(const VolumeTranslator& translator, const VolumeJob& job,
                                     const Progress& progress = {});

}  // namespace revgan::infer
