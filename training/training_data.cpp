// Options -> dataset. Everything a dataset reads is decided here, so the epoch loop is the same
// for images and volumes.
#include "training/training_data.hpp"

#include "data/volume/volume_dataset.hpp"
#include "engine/core/check.hpp"
#include "models/blocks.hpp"
#include "training/model_factory.hpp"

namespace revgan::training {

namespace {

// `smallest_d`: the discriminators' smallest input per axis.
data::DatasetOptions dataset_options(const TrainOptions& o, uint64_t seed, int64_t smallest_d) {
  data::DatasetOptions d;
  d.dataroot = o.dataroot;
  d.phase = o.phase;
  d.direction = data::parse_direction(o.direction);
  d.preprocess = data::parse_preprocess(o.preprocess);
  d.load_size = o.load_size;
  d.crop_size = o.crop_size;
  d.no_flip = o.no_flip;
  d.input_nc = o.input_nc;
  d.output_nc = o.output_nc;
  d.serial_batches = o.serial_batches;
  d.max_dataset_size = o.max_dataset_size;
  d.skip_unreadable = o.skip_unreadable;
  d.seed = seed;
  d.min_side = std::max(models::k_smallest_generator_image, smallest_d);
  d.one_size = o.batch_size > 1;
  return d;
}

std::shared_ptr<const data::Dataset> make_volume_dataset(const TrainOptions& o, uint64_t seed, int64_t smallest) {
  REVGAN_CHECK(o.direction == "AtoB",
               "model {}: option direction must be AtoB (A is the low-resolution volume); the trained model also "
               "runs BtoA (revgan_infer --direction BtoA)",
               o.model);
  data::VolumeDatasetOptions v;
  v.patch_size = data::parse_axes("patch_size", o.patch_size);
  v.factor = data::parse_axes("factor", o.factor);
  v.patches_per_volume = o.patches_per_volume;
  v.upsample = data::parse_interpolation("upsample", o.upsample);
  v.normalisation.clamp = o.intensity_clamp;
  // Checked here so that a small patch fails before training with the option's name, not inside
  // the first step's conv.
  for (int64_t p : v.patch_size)
    REVGAN_CHECK(p >= smallest,
                 "option patch_size: {} is too small for the discriminator; with n_layers_D {} every axis needs at "
                 "least {} voxels (or lower --n_layers_D)",
                 o.patch_size, o.n_layers_D, smallest);
  auto dataset = std::make_shared<data::VolumeDataset>(dataset_options(o, seed, smallest), v);
  // Every pair shares the grid and channels of its high-resolution volume; the networks were
  // built for input_nc / output_nc.
  for (int64_t i = 0; i < dataset->volume_count(); ++i) {
    const int64_t channels = dataset->pair(i).target.channels;
    REVGAN_CHECK(channels == o.input_nc && channels == o.output_nc,
                 "the volumes under '{}' have {} channel(s) but input_nc = {} and output_nc = {}; set --input_nc {} "
                 "--output_nc {}",
                 o.dataroot, channels, o.input_nc, o.output_nc, channels, channels);
  }
  return dataset;
}

}  // namespace

std::shared_ptr<const data::Dataset> make_training_dataset(const ResolvedOptions& resolved, uint64_t data_seed) {
  const TrainOptions& o = resolved.get();
  REVGAN_CHECK(!o.dataroot.empty(), "option dataroot: a dataset folder is required");
  const int64_t smallest_d = smallest_discriminator_input(resolved);
  if (model_traits(o.model).dims == 3) return make_volume_dataset(o, data_seed, smallest_d);
  return std::shared_ptr<const data::Dataset>(
      data::make_dataset(o.dataset_mode, dataset_options(o, data_seed, smallest_d)));
}

}  // namespace revgan::training
