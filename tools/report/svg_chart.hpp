// Hand-written SVG line charts for loss curves: one polyline per series, embedded inline in
// the HTML report (no scripts, no external files).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace revgan::report {

struct Series {
  std::string name;
  std::vector<double> x;  // e.g. total iterations
  std::vector<double> y;
};

struct ChartStyle {
  int width = 360;
  int height = 200;
  std::size_t max_points = 400;  // longer series are averaged in equal-width bins
};

// Averages consecutive points so that at most `max_points` remain (x and y alike); non-finite
// y values are dropped first.
Series downsample(const Series& s, std::size_t max_points);

// A titled chart with its y range, first and last x, and the series as one polyline.
std::string svg_line_chart(const Series& s, const ChartStyle& style = {});

}  // namespace revgan::report
