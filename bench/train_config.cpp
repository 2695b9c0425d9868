// Model names, presets and the paper's reference figures for `bench train`.
#include "bench/train_config.hpp"

#include <array>

#include "engine/core/check.hpp"

namespace revgan::bench {

namespace {

constexpr std::array<const char*, 5> model_names{"revgan_unpaired", "revgan_paired", "cyclegan", "pix2pix",
                                                 "revgan3d"};

TrainConfig make(ModelKind model, int64_t ngf, int64_t depth, int64_t size) {
  TrainConfig c;
  c.model = model;
  c.ngf = ngf;
  c.depth = depth;
  c.size = size;
  c.paper_size = size;
  return c;
}

// The supplementary material's Tables 2-4: activation MB and s/sample, naive and memory saving.
struct PaperRow {
  ModelKind model;
  int64_t ngf, depth, size;
  double naive_mb, saving_mb, naive_s, saving_s;
};
constexpr double na = -1;
constexpr std::array<PaperRow, 22> paper_rows{{
    {ModelKind::cyclegan, 32, 6, 128, 650.0, na, 0.63, na},
    {ModelKind::revgan_unpaired, 32, 6, 128, 682.3, 366.53, 0.67, 0.63},
    {ModelKind::revgan_unpaired, 56, 6, 128, 1184.5, 640.50, 0.91, 1.03},
    {ModelKind::pix2pix, 32, 6, 128, 163.0, na, 0.31, na},
    {ModelKind::revgan_paired, 32, 6, 128, 341.0, 183.0, 0.46, 0.44},
    {ModelKind::revgan_paired, 56, 6, 128, 592.0, 320.0, 0.58, 0.59},
    {ModelKind::cyclegan, 32, 9, 256, 800.0, na, 0.73, na},
    {ModelKind::revgan_unpaired, 32, 9, 256, 844.5, 338.3, 0.82, 0.74},
    {ModelKind::revgan_unpaired, 58, 9, 256, 1540.0, 663.7, 1.17, 1.34},
    {ModelKind::revgan_unpaired, 64, 9, 256, 1687.0, 723.0, 1.19, 1.39},
    {ModelKind::pix2pix, 32, 9, 256, 200.0, na, 0.37, na},
    {ModelKind::revgan_paired, 32, 9, 256, 422.0, 183.0, 0.54, 0.50},
    {ModelKind::revgan_paired, 58, 9, 256, 770.0, 332.0, 0.72, 0.79},
    {ModelKind::revgan_paired, 64, 9, 256, 830.0, 361.0, 0.72, 0.82},
    {ModelKind::cyclegan, 32, 6, 256, 650.0, na, 0.61, na},
    {ModelKind::cyclegan, 32, 12, 256, 950.0, na, 0.84, na},
    {ModelKind::cyclegan, 32, 18, 256, 1250.0, na, 1.07, na},
    {ModelKind::cyclegan, 32, 30, 256, 1850.0, na, 1.51, na},
    {ModelKind::revgan_unpaired, 58, 6, 256, 1243.28, 663.37, 0.95, 1.10},
    // Table 4's depth-9 row repeats Table 3's within 0.1 MB; Table 3's is listed above.
    {ModelKind::revgan_unpaired, 58, 12, 256, 1837.33, 663.50, 1.39, 1.64},
    {ModelKind::revgan_unpaired, 58, 18, 256, 2431.43, 663.12, 1.83, 2.18},
    {ModelKind::revgan_unpaired, 58, 30, 256, 3619.00, 663.31, 2.74, 3.27},
}};

}  // namespace

const char* model_name(ModelKind kind) { return model_names[static_cast<std::size_t>(kind)]; }

ModelKind parse_model(const std::string& name) {
  for (std::size_t i = 0; i < model_names.size(); ++i)
    if (name == model_names[i]) return static_cast<ModelKind>(i);
  REVGAN_FAIL("unknown model '{}' (revgan_unpaired, revgan_paired, cyclegan, pix2pix, revgan3d)", name);
}

const char* mode_name(StepMode mode) { return mode == StepMode::naive ? "naive" : "memory_saving"; }

StepMode parse_mode(const std::string& name) {
  if (name == "naive") return StepMode::naive;
  if (name == "memory_saving") return StepMode::memory_saving;
  REVGAN_FAIL("unknown mode '{}' (naive, memory_saving, both)", name);
}

bool is_reversible(ModelKind kind) {
  return kind == ModelKind::revgan_unpaired || kind == ModelKind::revgan_paired || kind == ModelKind::revgan3d;
}
bool is_paired(ModelKind kind) {
  return kind == ModelKind::revgan_paired || kind == ModelKind::pix2pix || kind == ModelKind::revgan3d;
}
bool is_3d(ModelKind kind) { return kind == ModelKind::revgan3d; }

int64_t image_channels(const TrainConfig& c) { return c.channels > 0 ? c.channels : (is_3d(c.model) ? 6 : 3); }

// 2D PatchGAN: three halvings then two k4 s1 p1 convs (-1 each) need side / 8 - 2 >= 1.
// 3D PatchGAN: two halvings, side / 4 - 2 >= 1.
int64_t min_size(ModelKind kind) { return is_3d(kind) ? 12 : 24; }
int64_t size_step(ModelKind kind) { return 4; }

std::vector<TrainConfig> preset_configs(const std::string& preset) {
  using M = ModelKind;
  if (preset == "table2") {
    return {make(M::cyclegan, 32, 6, 128),      make(M::revgan_unpaired, 32, 6, 128),
            make(M::revgan_unpaired, 56, 6, 128), make(M::pix2pix, 32, 6, 128),
            make(M::revgan_paired, 32, 6, 128),   make(M::revgan_paired, 56, 6, 128)};
  }
  if (preset == "table3") {
    std::vector<TrainConfig> out{make(M::cyclegan, 32, 9, 256)};
    for (int64_t k : {32, 58, 64}) out.push_back(make(M::revgan_unpaired, k, 9, 256));
    out.push_back(make(M::pix2pix, 32, 9, 256));
    for (int64_t k : {32, 58, 64}) out.push_back(make(M::revgan_paired, k, 9, 256));
    return out;
  }
  if (preset == "table4") {
    std::vector<TrainConfig> out;
    for (int64_t r : {6, 9, 12, 18, 30}) out.push_back(make(M::cyclegan, 32, r, 256));
    for (int64_t r : {6, 9, 12, 18, 30}) out.push_back(make(M::revgan_unpaired, 58, r, 256));
    return out;
  }
  if (preset == "3d") {
    std::vector<TrainConfig> out;
    for (int64_t side : {24, 32, 48}) out.push_back(make(M::revgan3d, 32, 6, side));
    for (auto& c : out) c.paper_size = 0;
    return out;
  }
  if (preset == "small") {
    // Tiny models for tests and smoke runs: every family, and a depth sweep.
    std::vector<TrainConfig> out;
    for (int64_t r : {2, 4, 8}) out.push_back(make(M::revgan_unpaired, 4, r, 32));
    out.push_back(make(M::cyclegan, 4, 2, 32));
    out.push_back(make(M::revgan_paired, 4, 2, 32));
    out.push_back(make(M::pix2pix, 4, 2, 32));
    out.push_back(make(M::revgan3d, 4, 2, 12));
    for (auto& c : out) {
      c.ndf = 8;
      c.paper_size = 0;
      c.warmup = 1;
      c.steps = 1;
    }
    return out;
  }
  REVGAN_FAIL("unknown preset '{}' (table2, table3, table4, 3d, small)", preset);
}

PaperFigures paper_figures(const TrainConfig& c) {
  for (const PaperRow& r : paper_rows) {
    if (r.model != c.model || r.ngf != c.ngf || r.depth != c.depth || r.size != c.paper_size) continue;
    const bool saving = c.mode == StepMode::memory_saving;
    return {saving ? r.saving_mb : r.naive_mb, saving ? r.saving_s : r.naive_s};
  }
  return {};
}

}  // namespace revgan::bench
