// `bench train` options. Without --preset one configuration is built from --model, --ngf,
// --depth and --size; with a preset, --model filters its rows and --size/--batch/--steps/
// --warmup override every row (the reports keep the paper's size for reference).
#include "bench/train_cli.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "bench/budget.hpp"
#include "bench/device_probe.hpp"
#include "bench/report.hpp"
#include "bench/train_bench.hpp"
#include "engine/core/check.hpp"
#include "engine/tensor/device_info.hpp"

namespace revgan::bench {

namespace {

struct Options {
  std::optional<std::string> model, preset, json, markdown, svg;
  std::optional<int64_t> ngf, depth, size, batch, ndf, max_memory;
  std::optional<int> warmup, steps;
  std::optional<double> lambda_identity;
  std::optional<int> pool;
  std::string modes = "both";
  std::string device = "cpu";
  std::string search = "size";
  int64_t max_depth = 256;
};

int64_t parse_int(const std::string& option, const std::string& v) {
  std::size_t used = 0;
  int64_t out = 0;
  try {
    out = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  REVGAN_CHECK(used == v.size() && !v.empty(), "bench train: {} expects an integer, got '{}'", option, v);
  return out;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    REVGAN_CHECK(i + 1 < argc, "bench train: option {} needs a value", arg);
    const std::string v = argv[++i];
    if (arg == "--model") o.model = v;
    else if (arg == "--preset") o.preset = v;
    else if (arg == "--ngf") o.ngf = parse_int(arg, v);
    else if (arg == "--depth") o.depth = parse_int(arg, v);
    else if (arg == "--size") o.size = parse_int(arg, v);
    else if (arg == "--batch") o.batch = parse_int(arg, v);
    else if (arg == "--ndf") o.ndf = parse_int(arg, v);
    else if (arg == "--mode") o.modes = v;
    else if (arg == "--device") o.device = v;
    else if (arg == "--warmup") o.warmup = static_cast<int>(parse_int(arg, v));
    else if (arg == "--steps") o.steps = static_cast<int>(parse_int(arg, v));
    else if (arg == "--threads") parse_int(arg, v);  // informational: OMP_NUM_THREADS decides
    else if (arg == "--lambda-identity") o.lambda_identity = std::stod(v);
    else if (arg == "--pool") o.pool = static_cast<int>(parse_int(arg, v));
    else if (arg == "--json") o.json = v;
    else if (arg == "--markdown") o.markdown = v;
    else if (arg == "--svg") o.svg = v;
    else if (arg == "--max-memory") o.max_memory = parse_int(arg, v);
    else if (arg == "--search") o.search = v;
    else if (arg == "--max-depth") o.max_depth = parse_int(arg, v);
    else REVGAN_FAIL("bench train: unknown option {}", arg);
  }
  REVGAN_CHECK(o.modes == "naive" || o.modes == "memory_saving" || o.modes == "both",
               "bench train: --mode must be naive, memory_saving or both, got '{}'", o.modes);
  REVGAN_CHECK(o.search == "size" || o.search == "depth", "bench train: --search must be size or depth");
  return o;
}

std::vector<TrainConfig> select_configs(const Options& o) {
  std::vector<TrainConfig> rows;
  if (o.preset) {
    for (TrainConfig c : preset_configs(*o.preset)) {
      if (o.model && parse_model(*o.model) != c.model) continue;
      if (o.ngf) c.ngf = *o.ngf;
      if (o.depth) c.depth = *o.depth;
      rows.push_back(c);
    }
    REVGAN_CHECK(!rows.empty(), "bench train: preset {} has no {} rows", *o.preset, o.model.value_or(""));
  } else {
    TrainConfig c;
    c.model = parse_model(o.model.value_or("revgan_unpaired"));
    if (is_3d(c.model)) c.size = 24;
    c.ngf = o.ngf.value_or(c.ngf);
    c.depth = o.depth.value_or(c.depth);
    rows.push_back(c);
  }
  for (TrainConfig& c : rows) {
    if (o.size) c.size = *o.size;
    if (o.batch) c.batch = *o.batch;
    if (o.ndf) c.ndf = *o.ndf;
    if (o.warmup) c.warmup = *o.warmup;
    if (o.steps) c.steps = *o.steps;
    if (o.lambda_identity) c.lambda_identity = *o.lambda_identity;
    if (o.pool) c.pool_size = *o.pool;
    c.device = parse_device(o.device);
  }
  // Overrides can make preset rows identical (e.g. --depth on a depth sweep); keep one.
  std::vector<TrainConfig> unique;
  for (const TrainConfig& c : rows) {
    const bool dup = std::any_of(unique.begin(), unique.end(), [&](const TrainConfig& u) {
      return u.model == c.model && u.ngf == c.ngf && u.depth == c.depth && u.size == c.size && u.batch == c.batch;
    });
    if (!dup) unique.push_back(c);
  }
  rows = unique;
  // Expand modes; models without a reversible core run naive only.
  std::vector<TrainConfig> out;
  for (const TrainConfig& c : rows) {
    for (StepMode m : {StepMode::naive, StepMode::memory_saving}) {
      if (o.modes != "both" && parse_mode(o.modes) != m) continue;
      if (m == StepMode::memory_saving && !is_reversible(c.model)) {
        if (o.modes == "memory_saving") fmt::print(stderr, "bench train: {} has no memory-saving mode, skipped\n", model_name(c.model));
        continue;
      }
      TrainConfig x = c;
      x.mode = m;
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

}  // namespace

void print_train_usage() {
  fmt::print(stderr,
             "usage: bench train [--preset table2|table3|table4|3d|small] [--model NAME] [--ngf K] [--depth R]\n"
             "                   [--size S] [--batch N] [--ndf D] [--mode naive|memory_saving|both] [--device cpu|cuda[:N]]\n"
             "                   [--warmup N] [--steps N] [--threads N] [--lambda-identity X] [--pool N]\n"
             "                   [--json FILE] [--markdown FILE] [--svg FILE]\n"
             "                   [--max-memory BYTES [--search size|depth] [--max-depth N]]\n"
             "  models: revgan_unpaired revgan_paired cyclegan pix2pix revgan3d. One full training step\n"
             "  (generator update with every loss, discriminator update, Adam) per timed step.\n"
             "  Threads follow OMP_NUM_THREADS (--threads is informational). See docs/benchmarks.md.\n");
}

int run_train_command(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") {
      print_train_usage();
      return 0;
    }
  }
  const Options o = parse(argc, argv);
  const std::vector<TrainConfig> configs = select_configs(o);
  // Every row runs on the same device; say which (an emulated CUDA device says so).
  if (!configs.empty()) {
    require_device(configs.front().device);
    fmt::print("device: {}\n", describe_device(configs.front().device));
  }
  std::vector<TrainResult> results;
  std::vector<BudgetResult> budgets;
  std::string json;
  if (o.max_memory) {
    const BudgetAxis axis = o.search == "size" ? BudgetAxis::size : BudgetAxis::depth;
    for (const TrainConfig& c : configs) {
      BudgetResult b = search_budget(c, *o.max_memory, axis, axis == BudgetAxis::size ? 4096 : o.max_depth);
      const std::string line = json_line(b);
      fmt::print("{}\n", line);
      std::fflush(stdout);
      json += line + "\n";
      budgets.push_back(b);
    }
    // The memory-saving / naive ratio of the largest fitting value, per configuration.
    for (const BudgetResult& n : budgets) {
      if (n.config.mode != StepMode::naive) continue;
      for (const BudgetResult& s : budgets) {
        if (s.config.mode != StepMode::memory_saving || s.config.model != n.config.model ||
            s.config.ngf != n.config.ngf || (axis == BudgetAxis::size ? s.config.depth != n.config.depth
                                                                       : s.config.size != n.config.size))
          continue;
        fmt::print("{} K{}: largest {} naive {}, memory-saving {}{}: ratio {:.2f}\n", model_name(n.config.model),
                   n.config.ngf, o.search, n.best, s.capped ? ">= " : "", s.best,
                   n.best > 0 ? static_cast<double>(s.best) / static_cast<double>(n.best) : 0.0);
      }
    }
  } else {
    fmt::print("{}", console_header());
    for (const TrainConfig& c : configs) {
      TrainResult r = measure_train(c);
      fmt::print("{}", console_row(r));
      const std::string line = json_line(r);
      fmt::print("{}\n", line);
      std::fflush(stdout);
      json += line + "\n";
      results.push_back(r);
    }
  }
  if (o.json) write_file(*o.json, json);
  if (o.markdown) write_file(*o.markdown, markdown_report(results, budgets));
  if (o.svg) {
    const std::string svg = svg_memory_vs_depth(results);
    if (svg.empty()) {
      fmt::print(stderr, "bench train: no configuration was measured at two depths; {} not written\n", *o.svg);
    } else {
      write_file(*o.svg, svg);
    }
  }
  return 0;
}

}  // namespace revgan::bench
