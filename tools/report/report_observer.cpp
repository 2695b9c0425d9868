// ReportObserver: grids on on_sample, history on on_iteration, the page on epoch / run end.
#include "tools/report/report_observer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "data/image.hpp"
#include "engine/core/check.hpp"
#include "engine/io/atomic_file.hpp"
#include "tools/report/html_report.hpp"
#include "tools/report/sample_grid.hpp"

namespace revgan::report {

namespace fs = std::filesystem;

namespace {

std::string row_legend(const std::vector<std::vector<std::string>>& rows) {
  std::string legend;
  // Rows repeat per batch element; describe one repetition.
  std::vector<std::vector<std::string>> distinct;
  for (const auto& r : rows)
    if (std::find(distinct.begin(), distinct.end(), r) == distinct.end()) distinct.push_back(r);
  for (const auto& r : distinct) {
    if (!legend.empty()) legend += " | ";
    for (std::size_t i = 0; i < r.size(); ++i) legend += (i ? " " : "") + r[i];
  }
  return legend;
}

// The grids already in samples/, oldest first (names sort chronologically).
std::vector<std::string> existing_grids(const fs::path& folder) {
  std::vector<std::string> names;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return names;
  for (const auto& e : fs::directory_iterator(folder, ec))
    if (e.is_regular_file() && e.path().extension() == ".png" && e.path().filename().string().starts_with("epoch"))
      names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

ReportObserver::ReportObserver(ReportOptions options) : options_(std::move(options)) {
  REVGAN_CHECK(!options_.run_dir.empty(), "ReportObserver: run_dir is empty");
  title_ = options_.run_dir.filename().string();
}

template <class F>
void ReportObserver::guarded(const char* what, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    // Reporting is a side channel: warn once and let training go on.
    if (!warned_) fmt::print(stderr, "\nrevgan report: warning: {} failed: {}\n", what, e.what());
    warned_ = true;
  }
}

void ReportObserver::on_train_begin(const training::TrainOptions& options, bool resumed) {
  title_ = fmt::format("{} ({})", options.name, options.model);
  options_json_ = training::options_to_json(options);
  state_ = resumed ? "resumed" : "running";
  guarded("reading the loss log", [&] {
    if (resumed) history_.load_csv(options_.run_dir / "loss_log.csv");
  });
}

void ReportObserver::on_iteration(const training::IterationInfo& info, const training::StepLosses& losses) {
  last_ = info;
  history_.add(info.total_iters, losses.values);
}

fs::path ReportObserver::write_grid(const training::IterationInfo& info, const training::Visuals& visuals) {
  const SampleGrid grid = make_sample_grid(visuals, options_.max_samples);
  const fs::path folder = options_.run_dir / "samples";
  std::error_code ec;
  fs::create_directories(folder, ec);
  REVGAN_CHECK(!ec, "cannot create '{}': {}", folder.string(), ec.message());
  const std::string name = fmt::format("epoch{:03d}_iter{:08d}.png", info.epoch, info.total_iters);
  const fs::path path = folder / name;
  io::write_atomically(path, [&](const fs::path& temp) { data::write_png(grid.image, temp); });
  captions_[name] = fmt::format("epoch {}, iteration {} - rows: {}", info.epoch, info.total_iters, row_legend(grid.rows));
  last_grid_iter_ = info.total_iters;
  return path;
}

void ReportObserver::on_sample(const training::IterationInfo& info, const training::Visuals& visuals) {
  if (options_.sample_every > 0 && last_grid_iter_ >= 0 && info.total_iters - last_grid_iter_ < options_.sample_every)
    return;
  guarded("writing a sample grid", [&] { write_grid(info, visuals); });
}

void ReportObserver::write_report() const {
  ReportPage page;
  page.title = title_;
  page.status = last_.total_iters > 0 ? fmt::format("{}: epoch {} of {}, iteration {} ({} per epoch), lr {:.3g}",
                                                     state_, last_.epoch, last_.last_epoch, last_.total_iters,
                                                     last_.iters_per_epoch, last_.lr)
                                      : state_;
  const std::vector<std::string> grids = existing_grids(options_.run_dir / "samples");
  for (auto it = grids.rbegin(); it != grids.rend() && static_cast<int64_t>(page.grids.size()) < options_.grids_shown;
       ++it) {
    const auto caption = captions_.find(*it);
    page.grids.push_back({"samples/" + *it, caption != captions_.end() ? caption->second : *it});
  }
  page.losses = &history_;
  page.options_json = options_json_;
  page.refresh = state_ == "running" || state_ == "resumed";
  std::error_code ec;
  fs::create_directories(options_.run_dir, ec);
  io::write_text_atomically(options_.run_dir / "index.html", render_report(page));
}

void ReportObserver::on_epoch_end(int64_t, const training::IterationInfo& last) {
  last_ = last;
  guarded("writing index.html", [&] { write_report(); });
}

void ReportObserver::on_train_end(bool interrupted) {
  state_ = interrupted ? "interrupted" : "finished";
  guarded("writing index.html", [&] { write_report(); });
}

std::unique_ptr<training::RunObserver> make_report_observer(const training::TrainOptions& options) {
  ReportOptions r;
  r.run_dir = fs::path(options.checkpoints_dir) / options.name;
  return std::make_unique<ReportObserver>(r);
}

}  // namespace revgan::report
