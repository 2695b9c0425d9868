// The dataset a training run reads: the pix2pix / CycleGAN image layouts for 2D models, or
// super-resolution volume patches (data::VolumeDataset) for 3D models.
#pragma once

#include <cstdint>
#include <memory>

#include "data/dataset.hpp"
#include "training/options.hpp"

namespace revgan::training {

// `options` must be resolved. 2D: make_dataset(dataset_mode) (under dataroot, see data/dataset.hpp) with the
// preprocessing options. 3D: a VolumeDataset on dataroot (a folder of high-resolution volumes,
// whose low-resolution partners are block averages by `factor`, or A/ + B/ pairs), cut into
// `patch_size` patches, `patches_per_volume` per volume and epoch; the volumes' channel count
// must equal input_nc and output_nc, and the direction must be AtoB (A is the low-resolution
// side). `data_seed` drives crops, flips and patch origins.
std::shared_ptr<const data::Dataset> make_training_dataset(const ResolvedOptions& options, uint64_t data_seed);

}  // namespace revgan::training
