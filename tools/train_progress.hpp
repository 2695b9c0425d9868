// revgan_train's console reporter: a live '\r' progress bar on a terminal, plain log lines
// every print_freq iterations otherwise (files, pipes, CI logs).
#pragma once

#include <cstdio>
#include <deque>

#include "training/run_observer.hpp"

namespace revgan::tools {

class ProgressPrinter : public training::RunObserver {
 public:
  ProgressPrinter(std::FILE* out, bool tty, int64_t print_freq);
  void on_train_begin(const training::TrainOptions& options, bool resumed) override;
  void on_iteration(const training::IterationInfo& info, const training::StepLosses& losses) override;
  void on_epoch_end(int64_t epoch, const training::IterationInfo& last) override;
  void on_train_end(bool interrupted) override;
  void on_notice(const std::string& text) override;

 private:
  double rate() const;  // iterations per second over the recent window
  void end_live_line();

  std::FILE* out_;
  bool tty_;
  int64_t print_freq_;
  std::deque<double> recent_;  // wall seconds per iteration (data + step)
  double last_time_ = -1;
  double epoch_start_ = 0;
  double last_draw_ = -1;
  bool live_line_ = false;
  std::string experiment_;
};

// Seconds as H:MM:SS.
std::string format_duration(double seconds);

}  // namespace revgan::tools
