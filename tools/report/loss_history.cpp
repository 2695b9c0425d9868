// Loss history bookkeeping and the tolerant CSV reader.
#include "tools/report/loss_history.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

namespace revgan::report {

namespace {
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

bool parse_double(const std::string& text, double& out) {
  try {
    std::size_t used = 0;
    out = std::stod(text, &used);
    return used == text.size();
  } catch (const std::exception&) {
    return false;
  }
}
}  // namespace

std::size_t LossHistory::column(const std::string& name) {
  const auto it = std::find(names_.begin(), names_.end(), name);
  if (it != names_.end()) return static_cast<std::size_t>(it - names_.begin());
  names_.push_back(name);
  values_.emplace_back(iterations_.size(), nan);
  return names_.size() - 1;
}

void LossHistory::add(int64_t iteration, const std::vector<std::pair<std::string, double>>& losses) {
  const double x = static_cast<double>(iteration);
  if (!iterations_.empty() && x <= iterations_.back()) {
    const std::size_t keep =
        static_cast<std::size_t>(std::lower_bound(iterations_.begin(), iterations_.end(), x) - iterations_.begin());
    iterations_.resize(keep);
    for (auto& v : values_) v.resize(keep);
  }
  iterations_.push_back(x);
  for (auto& v : values_) v.push_back(nan);
  for (const auto& [name, value] : losses) values_[column(name)].back() = value;
}

bool LossHistory::load_csv(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  if (!std::getline(in, line)) return true;
  const std::vector<std::string> header = split_csv_line(line);
  const auto x_it = std::find(header.begin(), header.end(), "total_iters");
  if (x_it == header.end()) return true;  // not a loss log we understand: no curves
  const std::size_t x_col = static_cast<std::size_t>(x_it - header.begin());
  static const std::vector<std::string> meta = {"epoch", "epoch_iter", "total_iters", "lr", "seconds"};
  while (std::getline(in, line)) {
    const std::vector<std::string> cells = split_csv_line(line);
    if (cells.size() != header.size()) continue;
    double x = 0;
    if (!parse_double(cells[x_col], x)) continue;
    std::vector<std::pair<std::string, double>> losses;
    for (std::size_t c = 0; c < header.size(); ++c) {
      if (std::find(meta.begin(), meta.end(), header[c]) != meta.end()) continue;
      double v = nan;
      if (!parse_double(cells[c], v)) v = nan;
      losses.emplace_back(header[c], v);
    }
    add(static_cast<int64_t>(x), losses);
  }
  return true;
}

Series LossHistory::series(const std::string& name) const {
  Series s{name, {}, {}};
  const auto it = std::find(names_.begin(), names_.end(), name);
  if (it == names_.end()) return s;
  s.x = iterations_;
  s.y = values_[static_cast<std::size_t>(it - names_.begin())];
  return s;
}

}  // namespace revgan::report
