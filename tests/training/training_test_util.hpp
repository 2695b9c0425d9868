// Helpers for the training tests: tiny model options, seeded batches, parameter snapshots and
// small image and volume datasets on disk.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/image.hpp"
#include "data/volume/hdf5_volume.hpp"
#include "data/volume/nifti_io.hpp"
#include "data/volume/procedural_volume.hpp"
#include "data/volume/resample.hpp"
#include "engine/nn/module.hpp"
#include "engine/tensor/factory.hpp"
#include "training/options.hpp"
#include "tests/data/data_test_util.hpp"

namespace revgan::test {

// Small enough for a CPU step in tens of milliseconds: K = 4, two blocks, 32x32 images.
inline training::TrainOptions tiny_options(const std::string& model) {
  training::TrainOptions o;
  o.model = model;
  o.ngf = 4;
  o.ndf = 8;
  o.depth = 2;
  o.seed = 11;
  o.pool_size = 2;
  o.load_size = 36;
  o.crop_size = 32;
  o.num_threads = 0;
  if (training::model_traits(model).dims == 3) {
    o.input_nc = o.output_nc = 1;
    o.ndf = 4;
  }
  return o;
}

// A batch in roughly [-1, 1]: [n, c, size, size] (or size^3 for volumes).
inline Tensor batch_tensor(uint64_t seed, int64_t n, int64_t c, int64_t size, int dims = 2) {
  Generator gen(seed);
  const Shape shape = dims == 2 ? Shape{n, c, size, size} : Shape{n, c, size, size, size};
  return randn(shape, gen, 0.0, 0.5);
}

inline std::vector<std::vector<double>> snapshot(const nn::Module& m) {
  std::vector<std::vector<double>> out;
  for (const Tensor& p : m.parameters()) out.push_back(p.to_vector());
  return out;
}

// dataroot/trainA, trainB (unaligned) and dataroot/train (aligned A|B) with n smooth images each.
inline void write_tiny_dataset(const std::filesystem::path& root, int n, int64_t size = 32) {
  for (const char* sub : {"trainA", "trainB", "train"}) std::filesystem::create_directories(root / sub);
  for (int i = 0; i < n; ++i) {
    const auto a = smooth_image(size, size, 3, 100 + i);
    const auto b = smooth_image(size, size, 3, 200 + i);
    data::write_png(a, root / "trainA" / fmt::format("a{}.png", i));
    data::write_png(b, root / "trainB" / fmt::format("b{}.png", i));
    data::write_png(data::concat_horizontal(a, b), root / "train" / fmt::format("ab{}.png", i));
  }
}

// A procedural volume of size^3 voxels (one channel), the same for a given seed.
inline data::Volume tiny_volume(uint64_t seed, int64_t size = 16) {
  data::ProceduralVolumeOptions o;
  o.size = {size, size, size};
  o.ellipsoids = 3;
  o.noise_cell = 4;
  o.seed = seed;
  return data::make_procedural_volume(o);
}

// n high-resolution volumes in `root` (NIfTI and HDF5 alternately), the layout revgan_train
// reads for 3D models with synthesised low-resolution inputs.
inline void write_tiny_volumes(const std::filesystem::path& root, int n, int64_t size = 16) {
  std::filesystem::create_directories(root);
  for (int i = 0; i < n; ++i) {
    const data::Volume v = tiny_volume(300 + i, size);
    if (i % 2 == 0) data::write_nifti(root / fmt::format("v{}.nii.gz", i), v);
    else data::write_hdf5_volume(root / fmt::format("v{}.h5", i), "volume", v);
  }
}

// The paired layout: root/A/ (block averages by `factor`) and root/B/ (high resolution).
inline void write_tiny_volume_pairs(const std::filesystem::path& root, int n, int64_t size = 16,
                                    data::Axes3 factor = {2, 2, 2}) {
  std::filesystem::create_directories(root / "A");
  std::filesystem::create_directories(root / "B");
  for (int i = 0; i < n; ++i) {
    const data::Volume v = tiny_volume(400 + i, size);
    data::write_nifti(root / "B" / fmt::format("p{}.nii.gz", i), v);
    data::write_nifti(root / "A" / fmt::format("p{}.nii.gz", i), data::make_low_resolution(v, factor));
  }
}

}  // namespace revgan::test
