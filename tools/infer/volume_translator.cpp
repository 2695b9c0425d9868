// VolumeTranslator: checkpoint loading, grid up-sampling (the training's --upsample), intensity
// mapping (its --intensity_clamp), tiled 3D runs.
#include "tools/infer/volume_translator.hpp"

#include "engine/io/atomic_file.hpp"

#include "data/volume/hdf5_volume.hpp"
#include "data/volume/intensity.hpp"
#include "data/volume/interpolation.hpp"
#include "data/volume/nifti_io.hpp"
#include "data/volume/resample.hpp"
#include "data/volume/volume_dataset.hpp"
#include "data/volume/volume_tensor.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "engine/ops/arithmetic.hpp"
#include "models/generator_program.hpp"
#include "training/model_factory.hpp"

namespace revgan::infer {

namespace fs = std::filesystem;

TileOptions default_volume_tiles() {
  TileOptions t;
  t.default_tile = 64;
  t.multiple = 1;
  t.min_size = 2;
  return t;
}

VolumeTranslator::VolumeTranslator(std::shared_ptr<models::GeneratorPair> generators,
                                   const training::TrainOptions& options, bool x_to_y, Device device)
    : generators_(std::move(generators)), options_(options), x_to_y_(x_to_y), device_(device) {
  const training::ModelTraits traits = training::model_traits(options.model);
  REVGAN_CHECK(traits.dims == 3, "model '{}' translates images, not volumes (leave out --volume)", options.model);
  in_nc_ = x_to_y ? options.input_nc : options.output_nc;
  generators_->eval();
  generators_->to(device_);
  program_ = models::generator_program(*generators_, x_to_y);
}

VolumeTranslator VolumeTranslator::from_checkpoint(const fs::path& checkpoint, bool x_to_y, Device device) {
  const training::LoadedGenerators loaded = training::load_generators(checkpoint.string());
  return VolumeTranslator(loaded.generators, loaded.options.get(), x_to_y, device);
}

data::Volume VolumeTranslator::translate(const data::Volume& input, const data::Axes3& factor,
                                         const TileOptions& tiles, ExecutionPlan* used) const {
  REVGAN_CHECK(input.channels == in_nc_, "the volume has {} channel(s), the generator expects {}", input.channels,
               in_nc_);
  data::Volume grid = input;
  if (factor != data::Axes3{1, 1, 1}) {
    const data::Axes3 size{input.depth * factor[0], input.height * factor[1], input.width * factor[2]};
    const std::array<double, 3> scale{1.0 / static_cast<double>(factor[0]), 1.0 / static_cast<double>(factor[1]),
                                      1.0 / static_cast<double>(factor[2])};
    grid = data::interpolate_to_grid(input, size, data::resampled_geometry(input.geometry, scale, {0.0, 0.0, 0.0}),
                                     data::parse_interpolation("upsample", options_.upsample));
  }
  // As in training: the input's robust percentiles map to [-1, 1], and outputs map back.
  const data::IntensityScale scale = data::robust_intensity_scale(grid);
  const data::Volume normalised = data::normalise(grid, scale, options_.intensity_clamp);
  const Tensor x = data::volume_to_tensor(normalised);
  const Tensor batch = x.reshape(Shape({1, x.size(0), x.size(1), x.size(2), x.size(3)}));
  // Next to the network: the grid, normalised and output volumes and their tensors.
  const int64_t outside = 6 * x.numel() * static_cast<int64_t>(sizeof(float));
  const streaming::Axes extent{padded_extent(x.size(1), tiles), padded_extent(x.size(2), tiles),
                               padded_extent(x.size(3), tiles)};
  const ExecutionPlan plan = plan_execution(program_, extent, outside, tiles, device_);
  if (used != nullptr) *used = plan;
  Tensor y;
  if (!plan.tiled) {
    const ImageFn fn = [this](const Tensor& t) {
      NoGradScope no_grad;
      const Tensor on_device = t.to(device_);
      const Tensor out = x_to_y_ ? generators_->g_xy(on_device) : generators_->g_yx(on_device);
      return out.to(Device::cpu()).to(DType::float32);
    };
    y = run_whole(batch, fn, tiles);
  } else {
    y = crop_to(run_tiled(program_, pad_to_multiple(batch, tiles), plan, device_), {x.size(1), x.size(2), x.size(3)});
    if (models::adds_input(*generators_)) y = ops::add(batch, y);  // the program is the correction only
  }
  data::Volume out = data::tensor_to_volume(y, grid.geometry, scale);
  return data::denormalise(out);
}

FolderResult translate_volume_folder(const VolumeTranslator& translator, const VolumeJob& job,
                                     const Progress& progress) {
  std::error_code ec;
  REVGAN_CHECK(fs::exists(job.input, ec), "input '{}' does not exist", job.input.string());
  const bool single = fs::is_regular_file(job.input, ec);
  REVGAN_CHECK(!single || data::has_volume_extension(job.input),
               "'{}' is not a NIfTI (.nii, .nii.gz) or HDF5 (.h5, .hdf5) file", job.input.string());
  const std::vector<fs::path> listed = single ? std::vector<fs::path>{job.input} : data::list_volume_files(job.input);
  REVGAN_CHECK(!listed.empty(), "input folder '{}' holds no volumes", job.input.string());
  const std::vector<PlannedFile> plan = plan_files(job.input, listed, job.output, "");
  ensure_writable_folder(job.output);
  FolderResult done;
  for (const PlannedFile& file : plan) {
    ExecutionPlan used;
    const data::Volume result = translator.translate(data::read_volume(file.input), job.factor, job.tiles, &used);
    done.tiled += used.tiled ? 1 : 0;
    prepare_output_folder(job.output, file.output);
    io::write_atomically(file.output, [&](const fs::path& temp) {
      if (data::has_hdf5_extension(file.output))
        data::write_hdf5_volume(temp, "volume", result);
      else
        data::write_nifti(temp, result);
    });
    ++done.translated;
    if (progress) progress(done.translated, static_cast<int64_t>(plan.size()), file.input);
  }
  return done;
}

}  // namespace revgan::infer
