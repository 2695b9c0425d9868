// `bench train` options. The bench's own options (what to measure and how) come from one option
// table; every other option is revgan_train's (model, widths, depth, recipe, device: the same
// names, parsed by the same table) and applies to every configuration measured. Without
// --preset one configuration is built from --model (default revgan_unpaired); with a preset,
// --model filters its rows and the other options override every row (the reports keep the
// paper's size for reference).
#include "bench/train_cli.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "bench/budget.hpp"
#include "bench/device_probe.hpp"
#include "bench/report.hpp"
#include "bench/train_bench.hpp"
#include "engine/core/check.hpp"
#include "engine/core/option_table.hpp"
#include "engine/tensor/device_info.hpp"

namespace revgan::bench {

namespace {

struct BenchArgs {
  std::string preset;
  std::string mode = "both";  // stored | memory_saving | both (naive: the old name of stored)
  int64_t size = 0;           // 0: the preset's, 128 (24 in 3D) without one
  int64_t batch = 1;
  int64_t warmup = 1;
  int64_t steps = 3;
  int64_t threads = 0;
  std::string json, markdown, svg;
  int64_t max_memory = 0;
  std::string search = "size";
  int64_t max_depth = 256;
  int64_t budget_sweep = 0;
  bool profile_ops = false;
};

const OptionTable<BenchArgs>& bench_table() {
  using B = BenchArgs;
  static const OptionTable<BenchArgs> table({
      {"preset", &B::preset, "table2 | table3 | table4 | 3d | small: the paper's configurations (or tiny ones)",
       nullptr, "NAME"},
      {"mode", &B::mode, "stored | memory_saving | both: the reversible core's executor(s) to measure"},
      {"size", &B::size, "image side (volume side in 3D) of the random batch", "the preset's; 128 (24 in 3D)", "S"},
      {"batch", &B::batch, "samples per step", nullptr, "N"},
      {"warmup", &B::warmup, "untimed steps first (they create gradients and Adam state)", nullptr, "N"},
      {"steps", &B::steps, "timed steps (the median is reported)", nullptr, "N"},
      {"threads", &B::threads, "informational: OMP_NUM_THREADS decides", "OMP_NUM_THREADS", "N"},
      {"json", &B::json, "also write the JSON lines to FILE", nullptr, "FILE"},
      {"markdown", &B::markdown, "also write a Markdown table to FILE", nullptr, "FILE"},
      {"svg", &B::svg, "also draw peak activation memory against depth to FILE", nullptr, "FILE"},
      {"max_memory", &B::max_memory,
       "instead of timing: the largest side (or depth) whose step fits BYTES, per executor", "off", "BYTES"},
      {"search", &B::search, "with --max_memory: size | depth"},
      {"max_depth", &B::max_depth, "with --max_memory --search depth: the largest depth tried", nullptr, "N"},
      {"budget_sweep", &B::budget_sweep,
       "memory-saving runs at N --memory_budget values from 0 (pure memory saving) to all of the core's activations "
       "(stored speed), evenly spaced; --svg then draws time against memory",
       "off", "N"},
      {"profile_ops", &B::profile_ops,
       "also time every op of the timed steps and print, per configuration, the ops by time per step "
       "(op, recording or no-grad i.e. backward, shape; engine/ops/op_profile.hpp)"},
  });
  return table;
}

std::vector<TrainConfig> select_configs(const ParsedOptions<BenchArgs>& bench,
                                        const ParsedOptions<training::TrainOptions>& train) {
  const BenchArgs& b = bench.options;
  const auto& train_table = training::train_option_table();
  std::vector<TrainConfig> rows;
  if (!b.preset.empty()) {
    for (const TrainConfig& c : preset_configs(b.preset))
      if (!train.was_given("model") || c.options.model == train.options.model) rows.push_back(c);
    REVGAN_CHECK(!rows.empty(), "bench train: preset {} has no {} rows", b.preset, train.options.model);
  } else {
    const std::string model = train.was_given("model") ? train.options.model : "revgan_unpaired";
    TrainConfig c = make_config(model, 32, 6, 128);
    if (is_3d(c)) c.size = 24;
    rows.push_back(c);
  }
  for (TrainConfig& c : rows) {
    for (const std::string& name : train.given) {
      const auto* spec = train_table.find(name);
      train_table.assign(c.options, *spec, train_table.value_text(train.options, *spec), "--" + name);
    }
    if (bench.was_given("size")) c.size = b.size;
    c.batch = b.batch;
    c.warmup = static_cast<int>(b.warmup);
    c.steps = static_cast<int>(b.steps);
    c.profile_ops = b.profile_ops;
  }
  // Overrides can make preset rows identical (e.g. --depth on a depth sweep); keep one.
  std::vector<TrainConfig> unique;
  for (const TrainConfig& c : rows) {
    const bool dup = std::any_of(unique.begin(), unique.end(), [&](const TrainConfig& u) {
      return u.options.model == c.options.model && u.options.ngf == c.options.ngf &&
             u.options.depth == c.options.depth && u.size == c.size && u.batch == c.batch;
    });
    if (!dup) unique.push_back(c);
  }
  // Expand executors; models without a reversible core run with stored activations only.
  std::vector<TrainConfig> out;
  for (const TrainConfig& c : unique) {
    for (bool memory_saving : {false, true}) {
      if (b.mode != "both" && (b.mode == "memory_saving") != memory_saving) continue;
      if (memory_saving && !has_memory_saving(c)) {
        if (b.mode == "memory_saving")
          fmt::print(stderr, "bench train: {} has no memory-saving mode, skipped\n", c.options.model);
        continue;
      }
      TrainConfig x = c;
      x.options.memory_saving = memory_saving;
      out.push_back(x);
    }
  }
  return out;
}

// Each memory-saving configuration at `n` budgets: 0, C / (n - 1), ..., C, where C is what the
// core keeps in one step when every block is stored ("unlimited" at the top).
std::vector<TrainConfig> sweep_budgets(const std::vector<TrainConfig>& configs, int64_t n) {
  REVGAN_CHECK(n >= 2, "bench train: --budget_sweep needs at least 2 budgets, got {}", n);
  std::vector<TrainConfig> out;
  for (const TrainConfig& c : configs) {
    if (!c.options.memory_saving) {
      out.push_back(c);
      continue;
    }
    const int64_t all = core_bytes_per_step(c);
    for (int64_t i = 0; i < n; ++i) {
      TrainConfig x = c;
      x.options.memory_budget = i == n - 1 ? std::string("unlimited") : std::to_string(all * i / (n - 1));
      out.push_back(x);
    }
  }
  return out;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  REVGAN_CHECK(f.good(), "bench train: cannot open {} for writing", path);
  f << text;
  f.close();
  REVGAN_CHECK(f.good(), "bench train: writing {} failed", path);
}

void print_budget_ratios(const std::vector<BudgetResult>& budgets, BudgetAxis axis, const std::string& search) {
  // The memory-saving / stored ratio of the largest fitting value, per configuration.
  for (const BudgetResult& n : budgets) {
    if (n.config.options.memory_saving) continue;
    for (const BudgetResult& s : budgets) {
      const training::TrainOptions &a = n.config.options, &m = s.config.options;
      if (!m.memory_saving || m.model != a.model || m.ngf != a.ngf ||
          (axis == BudgetAxis::size ? m.depth != a.depth : s.config.size != n.config.size))
        continue;
      fmt::print("{} K{}: largest {} stored {}, memory-saving {}{}: ratio {:.2f}\n", a.model, a.ngf, search, n.best,
                 s.capped ? ">= " : "", s.best,
                 n.best > 0 ? static_cast<double>(s.best) / static_cast<double>(n.best) : 0.0);
    }
  }
}

}  // namespace

void print_train_usage() {
  fmt::print(stderr,
             "usage: bench train [bench options] [revgan_train options]\n"
             "  One full training step of revgan_train's Trainer (generator update with every loss,\n"
             "  discriminator update, Adam) per timed step, on a fixed random batch. Any revgan_train\n"
             "  option (--model, --ngf, --depth, --ndf, --lambda_identity, --pool_size, --seed, --device\n"
             "  cpu|cuda[:N], ...) applies to every configuration; defaults are revgan_train's except\n"
             "  ngf 32, depth 6, pool_size 0, seed 1. Threads follow OMP_NUM_THREADS. See\n"
             "  docs/benchmarks.md.\nbench options:\n{}",
             bench_table().help_lines(BenchArgs{}));
}

int run_train_command(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  if (std::any_of(args.begin(), args.end(), [](const std::string& a) { return a == "--help" || a == "-h"; })) {
    print_train_usage();
    return 0;
  }
  auto [mine, rest] = bench_table().split_known(args);
  ParsedOptions<BenchArgs> bench = bench_table().parse(mine);
  if (bench.options.mode == "naive") bench.options.mode = "stored";
  const BenchArgs& b = bench.options;
  REVGAN_CHECK(b.mode == "stored" || b.mode == "memory_saving" || b.mode == "both",
               "bench train: --mode must be stored, memory_saving or both, got '{}'", b.mode);
  REVGAN_CHECK(b.search == "size" || b.search == "depth", "bench train: --search must be size or depth");
  const ParsedOptions<training::TrainOptions> train = training::train_option_table().parse(rest);
  REVGAN_CHECK(!train.was_given("memory_saving"), "bench train: choose the executor with --mode, not --memory_saving");
  REVGAN_CHECK(b.budget_sweep == 0 || !train.was_given("memory_budget"),
               "bench train: --budget_sweep chooses the budgets; leave out --memory_budget");
  std::vector<TrainConfig> configs = select_configs(bench, train);
  if (b.budget_sweep > 0) configs = sweep_budgets(configs, b.budget_sweep);
  // Every row runs on the same device; say which (an emulated CUDA device says so).
  if (!configs.empty()) {
    const Device device = parse_device(configs.front().options.device);
    require_device(device);
    fmt::print("device: {}\n", describe_device(device));
  }
  std::vector<TrainResult> results;
  std::vector<BudgetResult> budgets;
  std::string json;
  if (b.max_memory > 0) {
    const BudgetAxis axis = b.search == "size" ? BudgetAxis::size : BudgetAxis::depth;
    for (const TrainConfig& c : configs) {
      BudgetResult r = search_budget(c, b.max_memory, axis, axis == BudgetAxis::size ? 4096 : b.max_depth);
      const std::string line = json_line(r);
      fmt::print("{}\n", line);
      std::fflush(stdout);
      json += line + "\n";
      budgets.push_back(r);
    }
    print_budget_ratios(budgets, axis, b.search);
  } else {
    fmt::print("{}", console_header());
    for (const TrainConfig& c : configs) {
      TrainResult r = measure_train(c);
      fmt::print("{}", console_row(r));
      if (c.profile_ops) fmt::print("{}", op_time_table(r));
      const std::string line = json_line(r);
      fmt::print("{}\n", line);
      std::fflush(stdout);
      json += line + "\n";
      results.push_back(r);
    }
  }
  if (!b.json.empty()) write_file(b.json, json);
  if (!b.markdown.empty()) write_file(b.markdown, markdown_report(results, budgets));
  if (!b.svg.empty()) {
    const std::string svg = b.budget_sweep > 0 ? svg_time_vs_memory(results) : svg_memory_vs_depth(results);
    if (svg.empty()) {
      fmt::print(stderr, "bench train: no configuration was measured at two {}; {} not written\n",
                 b.budget_sweep > 0 ? "budgets" : "depths", b.svg);
    } else {
      write_file(b.svg, svg);
    }
  }
  return 0;
}

}  // namespace revgan::bench
