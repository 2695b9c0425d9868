// The reporting RunObserver: PNG sample grids under <run>/samples/ and, after every epoch, the
// run's HTML page <run>/index.html (replaced atomically) with the latest grids and loss curves.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "training/run_observer.hpp"
#include "tools/report/loss_history.hpp"

namespace revgan::report {

struct ReportOptions {
  std::filesystem::path run_dir;  // checkpoints_dir/name
  int64_t sample_every = 0;       // minimum iterations between two grids; 0: every on_sample
  int64_t max_samples = 4;        // batch elements per grid
  int64_t grids_shown = 8;        // newest grids on the page
};

class ReportObserver : public training::RunObserver {
 public:
  explicit ReportObserver(ReportOptions options);

  void on_train_begin(const training::TrainOptions& options, bool resumed) override;
  void on_iteration(const training::IterationInfo& info, const training::StepLosses& losses) override;
  void on_sample(const training::IterationInfo& info, const training::Visuals& visuals) override;
  void on_epoch_end(int64_t epoch, const training::IterationInfo& last) override;
  void on_train_end(bool interrupted) override;

  // Writes index.html now; throws on failure (the callbacks above only warn, so that a full
  // disk never stops training).
  void write_report() const;
  // Writes the grid of `visuals` for this iteration and returns its path; throws on failure.
  std::filesystem::path write_grid(const training::IterationInfo& info, const training::Visuals& visuals);
  const LossHistory& history() const { return history_; }
  // For pages made after the fact (revgan_report): the state line, e.g. "finished".
  void set_state(std::string state) { state_ = std::move(state); }
  const ReportOptions& options() const { return options_; }

 private:
  template <class F>
  void guarded(const char* what, F&& f);

  ReportOptions options_;
  std::string title_, options_json_, state_ = "starting";
  LossHistory history_;
  training::IterationInfo last_{};
  int64_t last_grid_iter_ = -1;
  std::map<std::string, std::string> captions_;  // grid file name -> caption
  bool warned_ = false;
};

// What revgan_train (or any training driver) adds to its observers:
//   observers.add(revgan::report::make_report_observer(options));
// Grids follow the trainer's display_freq (on_sample); the page goes to
// checkpoints_dir/name/index.html.
std::unique_ptr<training::RunObserver> make_report_observer(const training::TrainOptions& options);

}  // namespace revgan::report
