// A small multi-series line chart as standalone SVG, for the bench's figures (memory against
// depth, time against memory across budgets): linear axes from 0 with round ticks, one colour
// per group of series, solid or dashed lines, a legend.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace revgan::bench {

struct LineSeries {
  std::string legend;        // first legend line
  std::string detail;        // second legend line
  int group = 0;             // series of one group share a colour
  bool dashed = false;
  std::vector<std::pair<double, double>> points;  // drawn in x order
  std::vector<std::string> point_labels;          // optional, beside each point (same order)
};

struct LineChart {
  std::string title, x_label, y_label;
  std::vector<double> x_ticks;  // empty: five round ticks
  std::vector<LineSeries> series;
};

// Empty when no series has a point.
std::string svg_lines(LineChart chart);

}  // namespace revgan::bench
