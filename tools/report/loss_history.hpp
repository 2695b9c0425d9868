// Loss curves of a run: filled step by step from the observer's callbacks, or read back from
// the loss_log.csv that the training loop appends to (so a resumed run keeps its history).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tools/report/svg_chart.hpp"

namespace revgan::report {

class LossHistory {
 public:
  // One step's losses at total iteration `iteration`. A step at or before the last recorded
  // iteration (a run resumed from an older checkpoint) first drops the history from there on.
  void add(int64_t iteration, const std::vector<std::pair<std::string, double>>& losses);
  // loss_log.csv: a header row, then one row per step; total_iters is the x axis, and every
  // column other than epoch, epoch_iter, total_iters, lr and seconds is a loss. Malformed rows
  // (e.g. a line cut short by a crash) are skipped. Returns false when the file does not exist.
  bool load_csv(const std::filesystem::path& path);

  const std::vector<std::string>& names() const { return names_; }
  std::size_t size() const { return iterations_.size(); }
  // The curve of loss `name` (NaN where a step lacked it).
  Series series(const std::string& name) const;

 private:
  std::size_t column(const std::string& name);

  std::vector<std::string> names_;
  std::vector<double> iterations_;
  std::vector<std::vector<double>> values_;  // per name, aligned with iterations_
};

}  // namespace revgan::report
