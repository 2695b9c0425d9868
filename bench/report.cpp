// Formatting of `bench train` results. MB are 2^20 bytes throughout, as nvidia-smi reports.
#include "bench/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
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

std::string json_line(const TrainResult& r) {
  const TrainConfig& c = r.config;
  const PaperFigures p = paper_figures(c);
  return fmt::format(
      "{{\"bench\":\"train\",\"engine\":\"revgan\",\"model\":\"{}\",\"ngf\":{},\"depth\":{},\"size\":{},\"batch\":{},"
      "\"ndf\":{},\"channels\":{},\"mode\":\"{}\",\"device\":\"{}\",\"threads\":{},\"lambda_identity\":{},"
      "\"params_g\":{},\"params_d\":{},\"param_bytes\":{},\"grad_bytes\":{},\"optimizer_bytes\":{},"
      "\"saved_bytes\":{},\"saved_param_bytes\":{},\"saved_storages\":{},\"peak_activation_bytes\":{},"
      "\"peak_total_bytes\":{},\"peak_reserved_bytes\":{},\"driver_used_bytes\":{},\"time_per_sample_s\":{:.6f},\"time_min_s\":{:.6f},\"time_max_s\":{:.6f},"
      "\"steps\":{},\"warmup\":{},\"paper_size\":{},\"paper_activation_mb\":{},\"paper_s_per_sample\":{}}}",
      c.options.model, c.options.ngf, c.options.depth, c.size, c.batch, c.options.ndf, c.options.input_nc,
      executor_name(c), c.options.device, r.threads, c.options.lambda_identity, r.params_g, r.params_d, r.param_bytes, r.grad_bytes, r.optimizer_bytes,
      r.saved.activation_bytes, r.saved.parameter_bytes, r.saved.storages, r.peak_activation_bytes,
      r.peak_total_bytes, r.peak_reserved_bytes,
      r.driver_used_bytes ? fmt::format("{}", *r.driver_used_bytes) : std::string("null"), r.seconds_per_sample.median_s, r.seconds_per_sample.min_s, r.seconds_per_sample.max_s,
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
  using Key = std::tuple<std::string, int64_t, int64_t, std::string>;  // model, K, size, mode
  std::map<Key, std::vector<std::pair<double, double>>> series;
  for (const TrainResult& r : results) {
    const TrainConfig& c = r.config;
    series[{c.options.model, c.options.ngf, c.size, executor_name(c)}].emplace_back(static_cast<double>(c.options.depth),
                                                                                 mb(r.peak_activation_bytes));
  }
  std::erase_if(series, [](const auto& kv) { return kv.second.size() < 2; });
  if (series.empty()) return {};
  double x_max = 0, y_max = 0;
  for (auto& [key, pts] : series) {
    std::sort(pts.begin(), pts.end());
    for (auto [x, y] : pts) {
      x_max = std::max(x_max, x);
      y_max = std::max(y_max, y);
    }
  }
  // A round y range: 1, 2 or 5 times a power of ten per tick, five ticks.
  const double raw = y_max / 5.0;
  const double mag = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-9))));
  const double tick = raw <= mag ? mag : raw <= 2 * mag ? 2 * mag : raw <= 5 * mag ? 5 * mag : 10 * mag;
  const double y_top = tick * std::ceil(y_max / tick);
  const double w = 640, h = 400, left = 70, right = 220, top = 30, bottom = 50;
  const double pw = w - left - right, ph = h - top - bottom;
  auto px = [&](double x) { return left + pw * x / x_max; };
  auto py = [&](double y) { return top + ph * (1.0 - y / y_top); };
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"18\" text-anchor=\"middle\">Peak activation memory per training step vs depth</text>\n",
      w, h, left + pw / 2);
  s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"black\"/>\n", left, top, top + ph);
  s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"black\"/>\n", left, top + ph, left + pw);
  for (double y = 0; y <= y_top + tick / 2; y += tick) {
    s += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/>\n"
                     "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:g}</text>\n",
                     left, py(y), left + pw, left - 6, py(y) + 4, y);
  }
  std::vector<double> depths;
  for (auto& [key, pts] : series)
    for (auto [x, y] : pts) depths.push_back(x);
  std::sort(depths.begin(), depths.end());
  depths.erase(std::unique(depths.begin(), depths.end()), depths.end());
  for (double x : depths)
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:g}</text>\n", px(x), top + ph + 18, x);
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">depth R (blocks)</text>\n", left + pw / 2, h - 10);
  s += fmt::format("<text x=\"16\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {0})\">"
                   "peak activations (MB)</text>\n", top + ph / 2);
  // One colour per network, solid for stored activations and dashed for memory saving.
  const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
  std::map<std::tuple<std::string, int64_t, int64_t>, int> color_of;
  int i = 0;
  for (auto& [key, pts] : series) {
    const auto& [model, k, size, mode] = key;
    const int ci = color_of.try_emplace({model, k, size}, static_cast<int>(color_of.size())).first->second;
    const char* color = colors[ci % 6];
    const char* dash = mode == "stored" ? "" : " stroke-dasharray=\"6 3\"";
    std::string points;
    for (auto [x, y] : pts) points += fmt::format("{:.1f},{:.1f} ", px(x), py(y));
    s += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>\n", points, color, dash);
    for (auto [x, y] : pts)
      s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", px(x), py(y), color);
    const double ly = top + 10 + 34.0 * i;
    s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"2\"{4}/>\n"
                     "<text x=\"{5}\" y=\"{6}\">{7} K{8} {9}px</text>\n<text x=\"{5}\" y=\"{10}\">{11}</text>\n",
                     left + pw + 12, ly, left + pw + 36, color, dash, left + pw + 42, ly + 4, model, k, size,
                     ly + 18, mode);
    ++i;
  }
  s += "</svg>\n";
  return s;
}

}  // namespace revgan::bench
