// Helpers for the training tests: tiny model options, seeded batches, parameter snapshots and
// small image datasets on disk.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/image.hpp"
#include "engine/nn/module.hpp"
#include "engine/tensor/factory.hpp"
#include "models/training/options.hpp"
#include "tests/data/data_test_util.hpp"

namespace revgan::test {

// Small enough for a CPU step in tens of milliseconds: K = 4, two blocks, 32x32 images.
inline models::TrainOptions tiny_options(const std::string& model) {
  models::TrainOptions o;
  o.model = model;
  o.ngf = 4;
  o.ndf = 8;
  o.depth = 2;
  o.seed = 11;
  o.pool_size = 2;
  o.load_size = 36;
  o.crop_size = 32;
  o.num_threads = 0;
  if (models::model_traits(model).dims == 3) {
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

}  // namespace revgan::test
