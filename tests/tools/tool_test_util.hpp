// Helpers for the tool tests: tiny model options, a small revgan_train-style checkpoint to run
// inference with, file counting; running tools and reading files come from tests/support.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "training/options.hpp"
#include "training/trainer.hpp"
#include "tests/data/data_test_util.hpp"
#include "tests/support/subprocess.hpp"

namespace revgan::test {

// Options of a RevGAN small enough for tests (a few thousand parameters per network).
inline training::TrainOptions tiny_revgan_options(const std::string& model = "revgan_paired") {
  training::TrainOptions o;
  o.model = model;
  o.ngf = 2;
  o.ndf = 4;
  o.depth = 1;
  o.seed = 7;
  return o;
}

// A full training-state checkpoint (generators, discriminators, optimizers) as revgan_train writes.
inline void write_training_checkpoint(const training::TrainOptions& options, const std::filesystem::path& path) {
  training::Trainer trainer(training::resolve_options(options));
  trainer.save(path.string(), training::TrainProgress{});
}

inline std::size_t count_files(const std::filesystem::path& folder) {
  std::size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(folder, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); ++it)
    if (it->is_regular_file()) ++n;
  return n;
}

}  // namespace revgan::test
