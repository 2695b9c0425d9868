// What `bench train` claims, checked on the small preset: memory-saving activation bytes are
// flat in depth while naive ones grow by a constant amount per block; the reported parameter
// counts of the paper's Table 2 configurations are the reference ones.
#include <catch2/catch.hpp>

#include <map>

#include "bench/train_bench.hpp"
#include "bench/train_step.hpp"

using namespace revgan;
using namespace revgan::bench;

namespace {

std::map<int64_t, TrainResult> small_depth_sweep(StepMode mode) {
  std::map<int64_t, TrainResult> out;
  for (TrainConfig c : preset_configs("small")) {
    if (c.model != ModelKind::revgan_unpaired) continue;
    c.mode = mode;
    out.emplace(c.depth, measure_train(c));
  }
  return out;
}

}  // namespace

TEST_CASE("bench small preset: memory-saving activations flat in depth, naive linear", "[exec][model]") {
  const auto saving = small_depth_sweep(StepMode::memory_saving);
  const auto naive = small_depth_sweep(StepMode::naive);
  REQUIRE(saving.size() == 3);
  REQUIRE(naive.size() == 3);
  const TrainConfig& c = saving.at(2).config;
  // One [1, 4K, S/4, S/4] float32 core tensor.
  const int64_t core_bytes = 4 * c.ngf * (c.size / 4) * (c.size / 4) * 4;
  for (int64_t r : {2, 4, 8}) {
    INFO("depth " << r << ": saved naive " << naive.at(r).saved.activation_bytes << ", memory-saving "
                  << saving.at(r).saved.activation_bytes << "; peak naive " << naive.at(r).peak_activation_bytes
                  << ", memory-saving " << saving.at(r).peak_activation_bytes);
    // Graph bytes do not depend on depth at all with memory saving; the allocator's peak may
    // move by less than one core tensor (kernel workspaces).
    CHECK(saving.at(r).saved.activation_bytes == saving.at(2).saved.activation_bytes);
    CHECK(std::abs(saving.at(r).peak_activation_bytes - saving.at(2).peak_activation_bytes) < core_bytes);
    CHECK(naive.at(r).saved.activation_bytes > saving.at(r).saved.activation_bytes);
    CHECK(naive.at(r).peak_activation_bytes > saving.at(r).peak_activation_bytes);
  }
  for (auto field : {+[](const TrainResult& r) { return r.saved.activation_bytes; },
                     +[](const TrainResult& r) { return r.peak_activation_bytes; }}) {
    const double slope_low = static_cast<double>(field(naive.at(4)) - field(naive.at(2))) / 2.0;
    const double slope_high = static_cast<double>(field(naive.at(8)) - field(naive.at(4))) / 4.0;
    INFO("naive slope " << slope_low << " then " << slope_high << " bytes per block");
    CHECK(slope_low > 2.0 * core_bytes);
    CHECK(std::abs(slope_high - slope_low) <= 0.01 * slope_low);
  }
}

TEST_CASE("bench small preset: every family runs a full step and reports consistent figures", "[exec][model]") {
  for (TrainConfig c : preset_configs("small")) {
    for (StepMode mode : {StepMode::naive, StepMode::memory_saving}) {
      if (mode == StepMode::memory_saving && !is_reversible(c.model)) continue;
      c.mode = mode;
      INFO(model_name(c.model) << " " << mode_name(mode));
      const TrainResult r = measure_train(c);
      CHECK(r.params_g > 0);
      CHECK(r.params_d > 0);
      CHECK(r.grad_bytes == r.param_bytes);  // every parameter received a gradient
      CHECK(r.optimizer_bytes == 2 * r.param_bytes);  // Adam: two moments
      CHECK(r.saved.activation_bytes > 0);
      CHECK(r.peak_activation_bytes >= r.saved.activation_bytes);
      CHECK(r.peak_total_bytes >= r.peak_activation_bytes + r.param_bytes);
      CHECK(r.seconds_per_sample.median_s > 0);
    }
  }
}

TEST_CASE("bench table2 configurations report the reference parameter counts", "[model]") {
  // Generators (both directions; pix2pix trains one) and discriminators, construction only.
  const std::map<std::pair<ModelKind, int64_t>, std::pair<int64_t, int64_t>> expected{
      {{ModelKind::cyclegan, 32}, {3'930'118, 2 * 2'764'737}},
      {{ModelKind::revgan_unpaired, 32}, {1'274'374, 2 * 2'764'737}},
      {{ModelKind::revgan_unpaired, 56}, {3'875'206, 2 * 2'764'737}},
      {{ModelKind::pix2pix, 32}, {3'930'118 / 2, 2'767'809}},
      {{ModelKind::revgan_paired, 32}, {1'274'374, 2 * 2'767'809}},
      {{ModelKind::revgan_paired, 56}, {3'875'206, 2 * 2'767'809}},
  };
  const auto configs = preset_configs("table2");
  REQUIRE(configs.size() == expected.size());
  for (TrainConfig c : configs) {
    INFO(model_name(c.model) << " K" << c.ngf << " R" << c.depth);
    c.size = 32;  // the counts do not depend on the image size
    TrainSession s(c);
    const auto& [g, d] = expected.at({c.model, c.ngf});
    CHECK(s.generator_parameters() == g);
    CHECK(s.discriminator_parameters() == d);
    CHECK(s.parameter_bytes() == 4 * (g + d));
  }
}
