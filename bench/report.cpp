// Formatting of `bench train` results. MB are 2^20 bytes throughout, as nvidia-smi reports.
#include "bench/report.hpp"

#include "bench/svg_lines.hpp"
#include "engine/core/device.hpp"
#include "engine/ops/cpu_conv_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

namespace revgan::bench {

namespace {

double mb(int64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

std::string json_number(double v) { return v < 0 ? "null" : fmt::format("{:.6g}", v); }

std::string config_label(const TrainConfig& c) {
  return fmt::format("{} K{} R{} {}{}", c.options.model, c.options.ngf, c.options.depth, c.size,
                     is_3d(c) ? "^3" : "px");
}

// The same model, widths, depth and batch, possibly another executor.
bool same_network(const TrainConfig& a, const TrainConfig& b) {
  return a.options.model == b.options.model && a.options.ngf == b.options.ngf && a.options.depth == b.options.depth &&
         a.size == b.size && a.batch == b.batch;
}

}  // namespace

std::string console_header() {
  return fmt::format("{:<16} {:>3} {:>3} {:>5} {:>3} {:<13} {:>10} {:>10} {:>9} {:>9} {:>9} {:>9} {:>10} {:>8}\n",
                     "model", "K", "R", "size", "N", "mode", "params G", "params D", "param MB", "saved MB",
                     "peak act", "peak all", "s/sample", "paper MB");
}

std::string console_row(const TrainResult& r) {
  const TrainConfig& c = r.config;
  const PaperFigures p = paper_figures(c);
  return fmt::format("{:<16} {:>3} {:>3} {:>5} {:>3} {:<13} {:>10} {:>10} {:>9.2f} {:>9.2f} {:>9.2f} {:>9.2f} {:>10.4f} {:>8}\n",
                     c.options.model, c.options.ngf, c.options.depth, c.size, c.batch, executor_name(c), r.params_g, r.params_d,
                     mb(r.param_bytes), mb(r.saved.activation_bytes), mb(r.peak_activation_bytes),
                     mb(r.peak_total_bytes), r.seconds_per_sample.median_s,
                     p.activation_mb < 0 ? std::string("-") : fmt::format("{:.1f}", p.activation_mb));
}

std::string op_time_table(const TrainResult& r) {
  const double steps = static_cast<double>(r.config.steps);
  double total = 0;
  for (const ops::OpTimeRow& row : r.op_times) total += row.seconds;
  std::string out = fmt::format("  {:<22} {:<9} {:<22} {:>9} {:>8} {:>7}\n", "op", "autograd", "shape", "ms/step",
                                "calls", "share");
  double rest = 0;
  int64_t rest_rows = 0;
  for (const ops::OpTimeRow& row : r.op_times) {
    if (row.seconds < 0.002 * total) {
      rest += row.seconds;
      ++rest_rows;
      continue;
    }
    out += fmt::format("  {:<22} {:<9} {:<22} {:>9.2f} {:>8.1f} {:>6.1f}%\n", row.op,
                       row.recording ? "recording" : "no-grad", row.shape, row.seconds / steps * 1e3,
                       static_cast<double>(row.calls) / steps, 100 * row.seconds / total);
  }
  if (rest_rows > 0)
    out += fmt::format("  {:<55} {:>9.2f} {:>8} {:>6.1f}%\n", fmt::format("({} smaller rows)", rest_rows),
                       rest / steps * 1e3, "", 100 * rest / total);
  // Mean, not the median: the op times are sums over all timed steps.
  out += fmt::format("  ops: {:.1f} ms per step; the step's median is {:.1f} ms (the rest: autograd, allocation, "
                     "the trainer's own work)\n",
                     total / steps * 1e3, r.seconds_per_sample.median_s * static_cast<double>(r.config.batch) * 1e3);
  return out;
}

std::string json_line(const TrainResult& r) {
  const TrainConfig& c = r.config;
  const PaperFigures p = paper_figures(c);
  return fmt::format(
      "{{\"bench\":\"train\",\"engine\":\"revgan\",\"model\":\"{}\",\"ngf\":{},\"depth\":{},\"size\":{},\"batch\":{},"
      "\"ndf\":{},\"channels\":{},\"mode\":\"{}\",\"memory_budget\":\"{}\",\"device\":\"{}\",\"threads\":{},\"cpu_threads\":\"{}\",\"threads_used\":{:.2f},\"branch_runs_at_once\":{:.2f},\"cpu_conv\":\"{}\","
      "\"lambda_identity\":{},\"params_g\":{},\"params_d\":{},\"param_bytes\":{},\"grad_bytes\":{},\"optimizer_bytes\":{},\"weight_copy_bytes\":{},"
      "\"saved_bytes\":{},\"saved_param_bytes\":{},\"saved_storages\":{},\"peak_activation_bytes\":{},"
      "\"peak_total_bytes\":{},\"peak_reserved_bytes\":{},\"driver_used_bytes\":{},\"peak_cudnn_workspace_bytes\":{},\"cudnn_workspace\":{},\"time_per_sample_s\":{:.6f},\"time_min_s\":{:.6f},\"time_max_s\":{:.6f},"
      "\"steps\":{},\"warmup\":{},\"paper_size\":{},\"paper_activation_mb\":{},\"paper_s_per_sample\":{}}}",
      c.options.model, c.options.ngf, c.options.depth, c.size, c.batch, c.options.ndf, c.options.input_nc,
      executor_name(c), c.options.memory_budget, parse_device(c.options.device).str(), r.threads,
      c.options.cpu_threads, r.threads_used, r.branch_runs_at_once, ops::cpu_conv_backend_name(ops::cpu_conv_backend()), c.options.lambda_identity, r.params_g, r.params_d, r.param_bytes, r.grad_bytes, r.optimizer_bytes,
      r.weight_copy_bytes, r.saved.activation_bytes, r.saved.parameter_bytes, r.saved.storages, r.peak_activation_bytes,
      r.peak_total_bytes, r.peak_reserved_bytes,
      r.driver_used_bytes ? fmt::format("{}", *r.driver_used_bytes) : std::string("null"),
      r.peak_cudnn_workspace_bytes ? fmt::format("{}", *r.peak_cudnn_workspace_bytes) : std::string("null"),
      r.cudnn_workspace ? fmt::format("\"{}\"", *r.cudnn_workspace) : std::string("null"), r.seconds_per_sample.median_s, r.seconds_per_sample.min_s, r.seconds_per_sample.max_s,
      c.steps, c.warmup, c.paper_size, json_number(p.activation_mb), json_number(p.seconds_per_sample));
}

std::string json_line(const BudgetResult& r) {
  const TrainConfig& c = r.config;
  return fmt::format(
      "{{\"bench\":\"train_budget\",\"engine\":\"revgan\",\"model\":\"{}\",\"ngf\":{},\"depth\":{},\"size\":{},"
      "\"mode\":\"{}\",\"axis\":\"{}\",\"budget_bytes\":{},\"best\":{},\"capped\":{},\"footprint_bytes\":{},"
      "\"probes\":{}}}",
      c.options.model, c.options.ngf, c.options.depth, c.size, executor_name(c),
      r.axis == BudgetAxis::size ? "size" : "depth",
      r.budget_bytes, r.best, r.capped ? "true" : "false", r.footprint_bytes, r.probes);
}

std::string markdown_report(const std::vector<TrainResult>& results, const std::vector<BudgetResult>& budgets) {
  std::string out;
  if (!results.empty()) {
    out +=
        "| model | K | R | size | mode | params G | params D | param MB | saved MB | peak act. MB | peak total MB "
        "| s/sample (median, min-max) | paper act. MB (size) |\n"
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|\n";
    for (const TrainResult& r : results) {
      const TrainConfig& c = r.config;
      const PaperFigures p = paper_figures(c);
      out += fmt::format("| {} | {} | {} | {}{} | {} | {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.3f} ({:.3f}-{:.3f}) | {} |\n",
                         c.options.model, c.options.ngf, c.options.depth, c.size, is_3d(c) ? "^3" : "", executor_name(c),
                         r.params_g, r.params_d, mb(r.param_bytes), mb(r.saved.activation_bytes),
                         mb(r.peak_activation_bytes), mb(r.peak_total_bytes), r.seconds_per_sample.median_s,
                         r.seconds_per_sample.min_s, r.seconds_per_sample.max_s,
                         p.activation_mb < 0 ? std::string("-") : fmt::format("{:.1f} ({})", p.activation_mb, c.paper_size));
    }
    // Stored / memory-saving pairs of the same configuration.
    std::string ratios;
    for (const TrainResult& n : results) {
      if (n.config.options.memory_saving) continue;
      for (const TrainResult& s : results) {
        const TrainConfig &a = n.config, &b = s.config;
        if (!b.options.memory_saving || !same_network(a, b)) continue;
        const PaperFigures pn = paper_figures(a), ps = paper_figures(b);
        ratios += fmt::format("| {} | {:.3f} | {:.3f} | {:.3f} | {} | {} |\n", config_label(a),
                              static_cast<double>(s.saved.activation_bytes) / static_cast<double>(n.saved.activation_bytes),
                              static_cast<double>(s.peak_activation_bytes) / static_cast<double>(n.peak_activation_bytes),
                              s.seconds_per_sample.median_s / n.seconds_per_sample.median_s,
                              pn.activation_mb > 0 && ps.activation_mb > 0 ? fmt::format("{:.3f}", ps.activation_mb / pn.activation_mb) : "-",
                              pn.seconds_per_sample > 0 && ps.seconds_per_sample > 0 ? fmt::format("{:.3f}", ps.seconds_per_sample / pn.seconds_per_sample) : "-");
      }
    }
    if (!ratios.empty()) {
      out += "\nMemory-saving / stored:\n\n| configuration | saved bytes | peak activations | time per sample | paper activations | paper time |\n"
             "|---|---:|---:|---:|---:|---:|\n" + ratios;
    }
  }
  if (!budgets.empty()) {
    out += fmt::format("\n| model | K | {} | mode | budget MB | largest fitting | footprint MB | probes |\n"
                       "|---|---:|---:|---|---:|---:|---:|---:|\n",
                       budgets.front().axis == BudgetAxis::size ? "R" : "size");
    for (const BudgetResult& b : budgets) {
      const TrainConfig& c = b.config;
      out += fmt::format("| {} | {} | {} | {} | {:.1f} | {}{} {} | {:.2f} | {} |\n", c.options.model, c.options.ngf,
                         b.axis == BudgetAxis::size ? c.options.depth : c.size, executor_name(c), mb(b.budget_bytes),
                         b.capped ? ">= " : "", b.best, b.axis == BudgetAxis::size ? "px side" : "blocks",
                         mb(b.footprint_bytes), b.probes);
    }
  }
  return out;
}

std::string svg_memory_vs_depth(const std::vector<TrainResult>& results) {
  using Key = std::tuple<std::string, int64_t, int64_t, std::string>;  // model, K, size, executor
  std::map<Key, std::vector<std::pair<double, double>>> series;
  for (const TrainResult& r : results) {
    const TrainConfig& c = r.config;
    series[{c.options.model, c.options.ngf, c.size, executor_name(c)}].emplace_back(
        static_cast<double>(c.options.depth), mb(r.peak_activation_bytes));
  }
  std::erase_if(series, [](const auto& kv) { return kv.second.size() < 2; });
  if (series.empty()) return {};
  LineChart chart{"Peak activation memory per training step vs depth", "depth R (blocks)", "peak activations (MB)",
                  {}, {}};
  std::set<double> depths;
  // One colour per network, solid for stored activations and dashed for memory saving.
  std::map<std::tuple<std::string, int64_t, int64_t>, int> group_of;
  for (const auto& [key, points] : series) {
    const auto& [model, k, size, executor] = key;
    const int group = group_of.try_emplace({model, k, size}, static_cast<int>(group_of.size())).first->second;
    chart.series.push_back({fmt::format("{} K{} {}px", model, k, size), executor, group, executor != "stored", points, {}});
    for (const auto& point : points) depths.insert(point.first);
  }
  chart.x_ticks.assign(depths.begin(), depths.end());
  return svg_lines(std::move(chart));
}

std::string svg_time_vs_memory(const std::vector<TrainResult>& results) {
  using Key = std::tuple<std::string, int64_t, int64_t, int64_t>;  // model, K, R, size
  std::map<Key, LineSeries> series;
  for (const TrainResult& r : results) {
    const TrainConfig& c = r.config;
    if (!c.options.memory_saving) continue;
    LineSeries& line = series[{c.options.model, c.options.ngf, c.options.depth, c.size}];
    line.points.emplace_back(mb(r.peak_activation_bytes), r.seconds_per_sample.median_s);
    line.point_labels.push_back(c.options.memory_budget == "unlimited"
                                    ? std::string("all")
                                    : fmt::format("{:.0f}M", mb(training::parse_memory_budget(c.options.memory_budget))));
  }
  std::erase_if(series, [](const auto& kv) { return kv.second.points.size() < 2; });
  if (series.empty()) return {};
  LineChart chart{"Time per sample vs peak activation memory across memory budgets", "peak activations (MB)",
                  "seconds per sample", {}, {}};
  for (auto& [key, line] : series) {
    const auto& [model, k, depth, size] = key;
    line.legend = fmt::format("{} K{} R{}", model, k, depth);
    line.detail = fmt::format("{}px, labels: budget", size);
    line.group = static_cast<int>(chart.series.size());
    chart.series.push_back(line);
  }
  return svg_lines(std::move(chart));
}

}  // namespace revgan::bench
