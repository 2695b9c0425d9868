// What one `bench train` measurement runs: the model family, its size, the executor mode and
// the timing schedule; plus the named presets that reproduce the paper's tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/device.hpp"

namespace revgan::bench {

enum class ModelKind { revgan_unpaired, revgan_paired, cyclegan, pix2pix, revgan3d };
enum class StepMode { naive, memory_saving };

struct TrainConfig {
  ModelKind model = ModelKind::revgan_unpaired;
  int64_t ngf = 32;    // generator width K
  int64_t depth = 6;   // coupling / residual blocks R
  int64_t size = 128;  // image side (2D) or volume side (3D)
  int64_t batch = 1;
  int64_t ndf = 64;    // discriminator width (the paper's 64; smaller only for tests)
  int64_t channels = 0;  // image channels; 0: 3 in 2D, 6 in 3D (the paper's data)
  StepMode mode = StepMode::naive;
  Device device = Device::cpu();
  double lambda_identity = 0.5;  // unpaired only; 0 reproduces the paper's original setting
  int pool_size = 0;             // unpaired image pool; 0: discriminators see the newest fakes
  int warmup = 1;
  int steps = 3;
  uint64_t seed = 1;
  int64_t paper_size = 0;  // presets: the side the paper measured at (before any --size override)
};

const char* model_name(ModelKind kind);
ModelKind parse_model(const std::string& name);
const char* mode_name(StepMode mode);
StepMode parse_mode(const std::string& name);

bool is_reversible(ModelKind kind);  // has a core the memory-saving executor can run
bool is_paired(ModelKind kind);
bool is_3d(ModelKind kind);
int64_t image_channels(const TrainConfig& c);
// Smallest side the generator and the PatchGAN accept (2D: multiple of 4, >= 24; 3D: >= 12).
int64_t min_size(ModelKind kind);
int64_t size_step(ModelKind kind);  // sizes must be multiples of this

// The configurations of a preset (table2, table3, table4, 3d, small), in naive mode; the
// caller expands modes. Throws for an unknown name.
std::vector<TrainConfig> preset_configs(const std::string& preset);
// The paper's figures (K40m GPU, nvidia-smi, MB; seconds per sample) for a preset
// configuration; negative where the paper has none (e.g. memory saving for CycleGAN).
struct PaperFigures {
  double activation_mb = -1;
  double seconds_per_sample = -1;
};
PaperFigures paper_figures(const TrainConfig& c);

}  // namespace revgan::bench
