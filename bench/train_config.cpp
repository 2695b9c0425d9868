// Bench defaults, presets and the paper's reference figures for `bench train`.
#include "bench/train_config.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "engine/core/check.hpp"
#include "models/blocks.hpp"
#include "training/model_factory.hpp"

namespace revgan::bench {

namespace {

constexpr std::string_view cyclegan = "cyclegan", revgan_unpaired = "revgan_unpaired", pix2pix = "pix2pix",
                           revgan_paired = "revgan_paired", revgan3d = "revgan3d_paired";

// The supplementary material's Tables 2-4: activation MB and s/sample, naive and memory saving.
struct PaperRow {
  std::string_view model;
  int64_t ngf, depth, size;
  double naive_mb, saving_mb, naive_s, saving_s;
};
constexpr double na = -1;
constexpr std::array<PaperRow, 22> paper_rows{{
    {cyclegan, 32, 6, 128, 650.0, na, 0.63, na},
    {revgan_unpaired, 32, 6, 128, 682.3, 366.53, 0.67, 0.63},
    {revgan_unpaired, 56, 6, 128, 1184.5, 640.50, 0.91, 1.03},
    {pix2pix, 32, 6, 128, 163.0, na, 0.31, na},
    {revgan_paired, 32, 6, 128, 341.0, 183.0, 0.46, 0.44},
    {revgan_paired, 56, 6, 128, 592.0, 320.0, 0.58, 0.59},
    {cyclegan, 32, 9, 256, 800.0, na, 0.73, na},
    {revgan_unpaired, 32, 9, 256, 844.5, 338.3, 0.82, 0.74},
    {revgan_unpaired, 58, 9, 256, 1540.0, 663.7, 1.17, 1.34},
    {revgan_unpaired, 64, 9, 256, 1687.0, 723.0, 1.19, 1.39},
    {pix2pix, 32, 9, 256, 200.0, na, 0.37, na},
    {revgan_paired, 32, 9, 256, 422.0, 183.0, 0.54, 0.50},
    {revgan_paired, 58, 9, 256, 770.0, 332.0, 0.72, 0.79},
    {revgan_paired, 64, 9, 256, 830.0, 361.0, 0.72, 0.82},
    {cyclegan, 32, 6, 256, 650.0, na, 0.61, na},
    {cyclegan, 32, 12, 256, 950.0, na, 0.84, na},
    {cyclegan, 32, 18, 256, 1250.0, na, 1.07, na},
    {cyclegan, 32, 30, 256, 1850.0, na, 1.51, na},
    {revgan_unpaired, 58, 6, 256, 1243.28, 663.37, 0.95, 1.10},
    // Table 4's depth-9 row repeats Table 3's within 0.1 MB; Table 3's is listed above.
    {revgan_unpaired, 58, 12, 256, 1837.33, 663.50, 1.39, 1.64},
    {revgan_unpaired, 58, 18, 256, 2431.43, 663.12, 1.83, 2.18},
    {revgan_unpaired, 58, 30, 256, 3619.00, 663.31, 2.74, 3.27},
}};

}  // namespace

training::TrainOptions TrainConfig::bench_defaults() {
  training::TrainOptions o;
  o.ngf = 32;
  o.depth = 6;
  o.pool_size = 0;
  o.seed = 1;
  o.memory_saving = false;
  return o;
}

TrainConfig make_config(const std::string& model, int64_t ngf, int64_t depth, int64_t size) {
  TrainConfig c;
  c.options.model = model;
  c.options.ngf = ngf;
  c.options.depth = depth;
  // The paper's 3D data: six channels (e.g. T1, T2 and four more modalities) per voxel.
  if (training::model_traits(model).dims == 3) c.options.input_nc = c.options.output_nc = 6;
  c.size = size;
  c.paper_size = size;
  return c;
}

bool has_memory_saving(const TrainConfig& c) { return training::model_traits(c.options.model).reversible; }
bool is_3d(const TrainConfig& c) { return training::model_traits(c.options.model).dims == 3; }
const char* executor_name(const TrainConfig& c) { return c.options.memory_saving ? "memory_saving" : "stored"; }

int64_t min_size(const TrainConfig& c) {
  const int64_t d = training::smallest_discriminator_input(training::resolve_options(c.options));
  const int64_t g = is_3d(c) ? 2 : models::k_smallest_generator_image;
  const int64_t step = size_step(c);
  return (std::max(d, g) + step - 1) / step * step;
}
int64_t size_step(const TrainConfig& c) { return 4; }

std::vector<TrainConfig> preset_configs(const std::string& preset) {
  auto make = [](std::string_view model, int64_t ngf, int64_t depth, int64_t size) {
    return make_config(std::string(model), ngf, depth, size);
  };
  if (preset == "table2") {
    return {make(cyclegan, 32, 6, 128),      make(revgan_unpaired, 32, 6, 128),
            make(revgan_unpaired, 56, 6, 128), make(pix2pix, 32, 6, 128),
            make(revgan_paired, 32, 6, 128),   make(revgan_paired, 56, 6, 128)};
  }
  if (preset == "table3") {
    std::vector<TrainConfig> out{make(cyclegan, 32, 9, 256)};
    for (int64_t k : {32, 58, 64}) out.push_back(make(revgan_unpaired, k, 9, 256));
    out.push_back(make(pix2pix, 32, 9, 256));
    for (int64_t k : {32, 58, 64}) out.push_back(make(revgan_paired, k, 9, 256));
    return out;
  }
  if (preset == "table4") {
    std::vector<TrainConfig> out;
    for (int64_t r : {6, 9, 12, 18, 30}) out.push_back(make(cyclegan, 32, r, 256));
    for (int64_t r : {6, 9, 12, 18, 30}) out.push_back(make(revgan_unpaired, 58, r, 256));
    return out;
  }
  if (preset == "3d") {
    std::vector<TrainConfig> out;
    for (int64_t side : {24, 32, 48}) out.push_back(make(revgan3d, 32, 6, side));
    for (auto& c : out) c.paper_size = 0;
    return out;
  }
  if (preset == "small") {
    // Tiny models for tests and smoke runs: every family, and a depth sweep.
    std::vector<TrainConfig> out;
    for (int64_t r : {2, 4, 8}) out.push_back(make(revgan_unpaired, 4, r, 32));
    out.push_back(make(cyclegan, 4, 2, 32));
    out.push_back(make(revgan_paired, 4, 2, 32));
    out.push_back(make(pix2pix, 4, 2, 32));
    out.push_back(make(revgan3d, 4, 2, 12));
    for (auto& c : out) {
      c.options.ndf = 8;
      c.paper_size = 0;
      c.warmup = 1;
      c.steps = 1;
    }
    return out;
  }
  REVGAN_FAIL("unknown preset '{}' (table2, table3, table4, 3d, small)", preset);
}

PaperFigures paper_figures(const TrainConfig& c) {
  const training::TrainOptions& o = c.options;
  for (const PaperRow& r : paper_rows) {
    if (r.model != o.model || r.ngf != o.ngf || r.depth != o.depth || r.size != c.paper_size) continue;
    const bool saving = o.memory_saving;
    return {saving ? r.saving_mb : r.naive_mb, saving ? r.saving_s : r.naive_s};
  }
  return {};
}

}  // namespace revgan::bench
