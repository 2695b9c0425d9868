// What `bench train` claims, checked on the small preset: memory-saving activation bytes are
// flat in depth while stored ones grow by a constant amount per block; the reported parameter
// counts of the paper's Table 2 configurations are the reference ones.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "bench/report.hpp"
#include "bench/train_bench.hpp"
#include "bench/train_cli.hpp"
#include "training/trainer.hpp"

using namespace revgan;
using namespace revgan::bench;

namespace {

std::map<int64_t, TrainResult> small_depth_sweep(bool memory_saving) {
  std::map<int64_t, TrainResult> out;
  for (TrainConfig c : preset_configs("small")) {
    if (c.options.model != "revgan_unpaired") continue;
    c.options.memory_saving = memory_saving;
    out.emplace(c.options.depth, measure_train(c));
  }
  return out;
}

}  // namespace

TEST_CASE("bench small preset: memory-saving activations flat in depth, stored linear", "[exec][model]") {
  const auto saving = small_depth_sweep(true);
  const auto stored = small_depth_sweep(false);
  REQUIRE(saving.size() == 3);
  REQUIRE(stored.size() == 3);
  const TrainConfig& c = saving.at(2).config;
  // One [1, 4K, S/4, S/4] float32 core tensor.
  const int64_t core_bytes = 4 * c.options.ngf * (c.size / 4) * (c.size / 4) * 4;
  for (int64_t r : {2, 4, 8}) {
    INFO("depth " << r << ": saved stored " << stored.at(r).saved.activation_bytes << ", memory-saving "
                  << saving.at(r).saved.activation_bytes << "; peak stored " << stored.at(r).peak_activation_bytes
                  << ", memory-saving " << saving.at(r).peak_activation_bytes);
    // Graph bytes do not depend on depth at all with memory saving; the allocator's peak may
    // move by less than one core tensor (kernel workspaces).
    CHECK(saving.at(r).saved.activation_bytes == saving.at(2).saved.activation_bytes);
    CHECK(std::abs(saving.at(r).peak_activation_bytes - saving.at(2).peak_activation_bytes) < core_bytes);
    CHECK(stored.at(r).saved.activation_bytes > saving.at(r).saved.activation_bytes);
    CHECK(stored.at(r).peak_activation_bytes > saving.at(r).peak_activation_bytes);
  }
  for (auto field : {+[](const TrainResult& r) { return r.saved.activation_bytes; },
                     +[](const TrainResult& r) { return r.peak_activation_bytes; }}) {
    const double slope_low = static_cast<double>(field(stored.at(4)) - field(stored.at(2))) / 2.0;
    const double slope_high = static_cast<double>(field(stored.at(8)) - field(stored.at(4))) / 4.0;
    INFO("stored slope " << slope_low << " then " << slope_high << " bytes per block");
    CHECK(slope_low > 2.0 * core_bytes);
    CHECK(std::abs(slope_high - slope_low) <= 0.01 * slope_low);
  }
}

TEST_CASE("bench small preset: every family runs a full step and reports consistent figures", "[exec][model]") {
  for (TrainConfig c : preset_configs("small")) {
    for (bool memory_saving : {false, true}) {
      if (memory_saving && !has_memory_saving(c)) continue;
      c.options.memory_saving = memory_saving;
      INFO(c.options.model << " " << executor_name(c));
      const TrainResult r = measure_train(c);
      CHECK(r.params_g > 0);
      CHECK(r.params_d > 0);
      CHECK(r.param_bytes == 4 * (r.params_g + r.params_d));  // float32 parameters
      CHECK(r.grad_bytes == r.param_bytes);  // every parameter received a gradient
      CHECK(r.optimizer_bytes == 2 * r.param_bytes);  // Adam: two moments
      CHECK(r.saved.activation_bytes > 0);
      CHECK(r.peak_activation_bytes >= r.saved.activation_bytes);
      CHECK(r.peak_total_bytes >= r.peak_activation_bytes + r.param_bytes);
      CHECK(r.seconds_per_sample.median_s > 0);
    }
  }
}

TEST_CASE("bench train --profile_ops times the ops of the timed steps: convs, Adam, and a table", "[exec][model]") {
  TrainConfig c = preset_configs("small").front();
  c.profile_ops = true;
  c.steps = 2;
  const TrainResult r = measure_train(c);
  REQUIRE(!r.op_times.empty());
  double total = 0;
  bool conv_recording = false, conv_backward = false, adam = false;
  for (const ops::OpTimeRow& row : r.op_times) {
    total += row.seconds;
    CHECK(row.calls % c.steps == 0);  // every timed step runs the same ops
    conv_recording |= row.op == "conv" && row.recording;
    conv_backward |= row.op == "conv" && !row.recording;
    adam |= row.op == "Adam";
  }
  CHECK(conv_recording);
  CHECK(conv_backward);
  CHECK(adam);
  // The ops run inside the timed steps: their time is part of the steps' time.
  CHECK(total > 0);
  CHECK(total / c.steps <= 2 * r.seconds_per_sample.max_s * static_cast<double>(c.batch));
  const std::string table = op_time_table(r);
  CHECK(table.find("ms/step") != std::string::npos);
  CHECK(table.find("conv") != std::string::npos);
  CHECK(!ops::op_profiling());  // off again after the measurement
  // Without the option nothing is timed.
  c.profile_ops = false;
  CHECK(measure_train(c).op_times.empty());
}

TEST_CASE("bench table2 configurations report the reference parameter counts", "[model]") {
  // Generators (both directions; pix2pix trains one) and discriminators, construction only:
  // the networks revgan_train's Trainer builds from the bench's options.
  const std::map<std::pair<std::string, int64_t>, std::pair<int64_t, int64_t>> expected{
      {{"cyclegan", 32}, {3'930'118, 2 * 2'764'737}},
      {{"revgan_unpaired", 32}, {1'274'374, 2 * 2'764'737}},
      {{"revgan_unpaired", 56}, {3'875'206, 2 * 2'764'737}},
      {{"pix2pix", 32}, {3'930'118 / 2, 2'767'809}},
      {{"revgan_paired", 32}, {1'274'374, 2 * 2'767'809}},
      {{"revgan_paired", 56}, {3'875'206, 2 * 2'767'809}},
  };
  const auto configs = preset_configs("table2");
  REQUIRE(configs.size() == expected.size());
  for (const TrainConfig& c : configs) {
    INFO(c.options.model << " K" << c.options.ngf << " R" << c.options.depth);
    training::Trainer t(training::resolve_options(c.options));
    const auto& [g, d] = expected.at({c.options.model, c.options.ngf});
    const models::PatchGan* d_b = t.discriminator_b();
    CHECK(t.generators().parameter_count() == g);
    CHECK(t.discriminator_a().parameter_count() + (d_b != nullptr ? d_b->parameter_count() : 0) == d);
  }
}

// The sweep as a user runs it (bench train --budget_sweep N): N memory-saving rows at budgets
// 0 .. unlimited next to the stored row; more budget keeps more blocks, so saved bytes do not
// fall, and the unlimited row keeps what the stored row keeps.
TEST_CASE("bench train --budget_sweep: N budgets from 0 to unlimited, saved bytes rising to stored", "[exec][model]") {
  const std::filesystem::path json =
      std::filesystem::temp_directory_path() / fmt::format("revgan-budget-sweep-{}.json", ::getpid());
  std::vector<std::string> args{"--model", "revgan_unpaired", "--ngf", "4", "--ndf", "8", "--depth",
                                "3",       "--size",          "32", "--steps", "1",
                                "--warmup", "0",              "--mode", "both",    "--budget_sweep",
                                "3",       "--json",          json.string()};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  REQUIRE(run_train_command(static_cast<int>(argv.size()), argv.data()) == 0);
  std::ifstream in(json);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::filesystem::remove(json);
  REQUIRE(lines.size() == 4);  // stored, then three budgets
  const auto field = [](const std::string& line, const std::string& key) {
    const std::size_t at = line.find("\"" + key + "\":");
    REQUIRE(at != std::string::npos);
    std::size_t begin = at + key.size() + 3;
    if (line[begin] == '"') ++begin;
    return line.substr(begin, line.find_first_of(",\"}", begin) - begin);
  };
  CHECK(field(lines[0], "mode") == "stored");
  CHECK(field(lines[1], "memory_budget") == "0");
  CHECK(field(lines[3], "memory_budget") == "unlimited");
  const auto saved = [&](std::size_t i) { return std::stoll(field(lines[i], "saved_bytes")); };
  CHECK(saved(1) < saved(3));
  CHECK(saved(1) <= saved(2));
  CHECK(saved(2) <= saved(3));
  CHECK(saved(3) == saved(0));
}
