// The hook the training loop calls at its progress points, so that reporters (progress line,
// PNG sample grids, HTML report) stay out of the loop. Every method has a no-op default.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "training/options.hpp"
#include "training/step_losses.hpp"

namespace revgan::training {

struct IterationInfo {
  int64_t epoch = 0;              // current epoch number (epoch_count .. n_epochs + n_epochs_decay)
  int64_t last_epoch = 0;         // n_epochs + n_epochs_decay
  int64_t epoch_iter = 0;         // batches done in this epoch, this one included
  int64_t iters_per_epoch = 0;    // batches per epoch
  int64_t total_iters = 0;        // training steps since the run began (resumes continue the count)
  int64_t batch_size = 0;
  double lr = 0;                  // learning rate in force
  double step_seconds = 0;        // wall time of this step (data wait excluded)
  double data_seconds = 0;        // wall time spent waiting for this batch
  int64_t skipped_files = 0;      // unreadable files skipped so far (skip_unreadable)
};

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // Once, after the networks are built (and a checkpoint loaded); `resumed` on --continue_train.
  virtual void on_train_begin(const TrainOptions& options, bool resumed) {}
  // After every training step.
  virtual void on_iteration(const IterationInfo& info, const StepLosses& losses) {}
  // Every display_freq steps (and after the last step of each epoch): the step's images.
  virtual void on_sample(const IterationInfo& info, const Visuals& visuals) {}
  // After epoch `epoch` finished and its checkpoints were written.
  virtual void on_epoch_end(int64_t epoch, const IterationInfo& last) {}
  // Once at the end; `interrupted` when a stop was requested (e.g. SIGINT) before the last epoch.
  virtual void on_train_end(bool interrupted) {}
  // Something the user should read (a skipped file, a cleaned-up temporary file).
  virtual void on_notice(const std::string& text) {}
};

// Forwards every call to each observer in order.
class ObserverList : public RunObserver {
 public:
  void add(std::shared_ptr<RunObserver> observer) { observers_.push_back(std::move(observer)); }
  void on_train_begin(const TrainOptions& options, bool resumed) override {
    for (auto& o : observers_) o->on_train_begin(options, resumed);
  }
  void on_iteration(const IterationInfo& info, const StepLosses& losses) override {
    for (auto& o : observers_) o->on_iteration(info, losses);
  }
  void on_sample(const IterationInfo& info, const Visuals& visuals) override {
    for (auto& o : observers_) o->on_sample(info, visuals);
  }
  void on_epoch_end(int64_t epoch, const IterationInfo& last) override {
    for (auto& o : observers_) o->on_epoch_end(epoch, last);
  }
  void on_train_end(bool interrupted) override {
    for (auto& o : observers_) o->on_train_end(interrupted);
  }
  void on_notice(const std::string& text) override {
    for (auto& o : observers_) o->on_notice(text);
  }

 private:
  std::vector<std::shared_ptr<RunObserver>> observers_;
};

}  // namespace revgan::training
