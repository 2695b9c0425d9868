// Helpers for the tool tests: running a tool binary with its output captured, reading files,
// and a small revgan_train-style checkpoint to run inference with.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "models/training/options.hpp"
#include "models/training/trainer.hpp"
#include "tests/data/data_test_util.hpp"

namespace revgan::test {

// Exit status of `binary args` (both as shell text); stdout and stderr go to `log`.
inline int run_tool(const std::string& binary, const std::string& args, const std::filesystem::path& log) {
  const std::string cmd = fmt::format("'{}' {} > '{}' 2>&1", binary, args, log.string());
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::string text;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
    std::fclose(f);
  }
  return text;
}

// Options of a RevGAN small enough for tests (a few thousand parameters per network).
inline models::TrainOptions tiny_revgan_options(const std::string& model = "revgan_paired") {
  models::TrainOptions o;
  o.model = model;
  o.ngf = 2;
  o.ndf = 4;
  o.depth = 1;
  o.seed = 7;
  return o;
}

// A full training-state checkpoint (generators, discriminators, optimizers) as revgan_train writes.
inline void write_training_checkpoint(const models::TrainOptions& options, const std::filesystem::path& path) {
  models::Trainer trainer(options);
  trainer.save(path.string(), models::TrainProgress{});
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
