// svg_lines: scale, axes with round ticks, polylines with point markers, legend.
#include "bench/svg_lines.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace revgan::bench {

namespace {

// A round step for about five ticks up to `max`: 1, 2 or 5 times a power of ten.
double round_tick(double max) {
  const double raw = max / 5.0;
  const double mag = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-9))));
  return raw <= mag ? mag : raw <= 2 * mag ? 2 * mag : raw <= 5 * mag ? 5 * mag : 10 * mag;
}

}  // namespace

std::string svg_lines(LineChart chart) {
  double x_max = 0, y_max = 0;
  bool any = false;
  for (LineSeries& s : chart.series) {
    std::vector<std::size_t> order(s.points.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return s.points[a] < s.points[b]; });
    std::vector<std::pair<double, double>> points;
    std::vector<std::string> labels;
    for (std::size_t i : order) {
      points.push_back(s.points[i]);
      if (i < s.point_labels.size()) labels.push_back(s.point_labels[i]);
    }
    s.points = std::move(points);
    s.point_labels = std::move(labels);
    for (auto [x, y] : s.points) {
      x_max = std::max(x_max, x);
      y_max = std::max(y_max, y);
      any = true;
    }
  }
  if (!any) return {};
  const double y_tick = round_tick(y_max), y_top = y_tick * std::ceil(y_max / y_tick);
  if (chart.x_ticks.empty()) {
    const double x_tick = round_tick(x_max);
    for (double x = 0; x <= x_tick * std::ceil(x_max / x_tick) + x_tick / 2; x += x_tick) chart.x_ticks.push_back(x);
  }
  const double x_top = std::max(x_max, chart.x_ticks.back());
  const double w = 640, h = 400, left = 70, right = 220, top = 30, bottom = 50;
  const double pw = w - left - right, ph = h - top - bottom;
  auto px = [&](double x) { return left + pw * x / x_top; };
  auto py = [&](double y) { return top + ph * (1.0 - y / y_top); };
  std::string s = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"18\" text-anchor=\"middle\">{}</text>\n",
      w, h, left + pw / 2, chart.title);
  s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"black\"/>\n", left, top, top + ph);
  s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"black\"/>\n", left, top + ph, left + pw);
  for (double y = 0; y <= y_top + y_tick / 2; y += y_tick)
    s += fmt::format("<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/>\n"
                     "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:g}</text>\n",
                     left, py(y), left + pw, left - 6, py(y) + 4, y);
  for (double x : chart.x_ticks)
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:g}</text>\n", px(x), top + ph + 18, x);
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left + pw / 2, h - 10, chart.x_label);
  s += fmt::format("<text x=\"16\" y=\"{0}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {0})\">{1}</text>\n",
                   top + ph / 2, chart.y_label);
  const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    const LineSeries& line = chart.series[i];
    const char* color = colors[static_cast<std::size_t>(line.group) % 6];
    const char* dash = line.dashed ? " stroke-dasharray=\"6 3\"" : "";
    std::string points;
    for (auto [x, y] : line.points) points += fmt::format("{:.1f},{:.1f} ", px(x), py(y));
    s += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"{}/>\n", points, color,
                     dash);
    for (std::size_t k = 0; k < line.points.size(); ++k) {
      const auto [x, y] = line.points[k];
      s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", px(x), py(y), color);
      if (k < line.point_labels.size())
        s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"10\">{}</text>\n", px(x) + 5, py(y) - 5,
                         line.point_labels[k]);
    }
    const double ly = top + 10 + 34.0 * static_cast<double>(i);
    s += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"2\"{4}/>\n"
                     "<text x=\"{5}\" y=\"{6}\">{7}</text>\n<text x=\"{5}\" y=\"{8}\">{9}</text>\n",
                     left + pw + 12, ly, left + pw + 36, color, dash, left + pw + 42, ly + 4, line.legend, ly + 18,
                     line.detail);
  }
  s += "</svg>\n";
  return s;
}

}  // namespace revgan::bench
