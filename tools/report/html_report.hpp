// The run's HTML page: status, the latest sample grids, loss curves as inline SVG and the
// options, as one self-contained file (images referenced relative to the page).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tools/report/loss_history.hpp"

namespace revgan::report {

struct GridEntry {
  std::string file;     // relative to the page, e.g. "samples/epoch001_iter00000100.png"
  std::string caption;  // e.g. "epoch 1, iteration 100 - rows: real_A fake_B | real_B fake_A"
};

struct ReportPage {
  std::string title;
  std::string status;             // one line: epoch, iteration, state
  std::vector<GridEntry> grids;   // newest first
  const LossHistory* losses = nullptr;
  std::string options_json;
  bool refresh = false;           // reload every minute while the run is going
};

std::string render_report(const ReportPage& page);

}  // namespace revgan::report
