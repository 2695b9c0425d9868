// What one `bench train` measurement runs: revgan_train's options (model, widths, depth, the
// recipe, the executor, the device: the same names and the same Trainer) plus what only the
// bench decides: the batch's side, its size and the timing schedule; and the named presets
// that reproduce the paper's tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "training/options.hpp"

namespace revgan::bench {

struct TrainConfig {
  training::TrainOptions options = bench_defaults();  // the model and the recipe, as revgan_train
  int64_t size = 128;  // image side (2D) or volume side (3D) of the random batch
  int64_t batch = 1;
  int warmup = 1;
  int steps = 3;
  int64_t paper_size = 0;  // presets: the side the paper measured at (before any --size override)
  bool profile_ops = false;  // time every op of the timed steps (engine/ops/op_profile.hpp)

  // revgan_train's defaults except: K = 32, R = 6 (the paper's Table 2 size), no image pool
  // (the discriminators see the newest fakes), seed 1, stored activations.
  static training::TrainOptions bench_defaults();
};

// A configuration of `model` at width `ngf`, depth `depth`, side `size`; 3D models get the
// paper's six-channel volumes.
TrainConfig make_config(const std::string& model, int64_t ngf, int64_t depth, int64_t size);

bool has_memory_saving(const TrainConfig& c);  // a reversible core the memory-saving executor can run
bool is_3d(const TrainConfig& c);
// "stored" or "memory_saving": the reversible executor (reversible::Mode's names).
const char* executor_name(const TrainConfig& c);
// Smallest side the generator and the PatchGAN accept, and the step sizes must be multiples of.
int64_t min_size(const TrainConfig& c);
int64_t size_step(const TrainConfig& c);

// The configurations of a preset (table2, table3, table4, 3d, small), with stored activations;
// the caller expands executors. Throws for an unknown name.
std::vector<TrainConfig> preset_configs(const std::string& preset);
// The paper's figures (K40m GPU, nvidia-smi, MB; seconds per sample) for a preset
// configuration; negative where the paper has none (e.g. memory saving for CycleGAN).
struct PaperFigures {
  double activation_mb = -1;
  double seconds_per_sample = -1;
};
PaperFigures paper_figures(const TrainConfig& c);

}  // namespace revgan::bench
