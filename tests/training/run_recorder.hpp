// A RunObserver that records what run_training reports (and can request a stop at a given
// step), and a line counter for loss logs: shared by the epoch-loop tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "training/run_observer.hpp"

namespace revgan::test {

// Sets *stop once total_iters reaches stop_at.
class Recorder : public training::RunObserver {
 public:
  explicit Recorder(std::atomic<bool>* stop = nullptr, int64_t stop_at = -1) : stop_(stop), stop_at_(stop_at) {}
  void on_train_begin(const training::TrainOptions&, bool resumed) override { this->resumed = resumed; }
  void on_iteration(const training::IterationInfo& info, const training::StepLosses& losses) override {
    iterations.push_back(info.total_iters);
    last_names = losses.names();
    lrs.push_back(info.lr);
    if (stop_ != nullptr && info.total_iters == stop_at_) stop_->store(true);
  }
  void on_sample(const training::IterationInfo& info, const training::Visuals& visuals) override {
    samples.push_back(info.total_iters);
    sample_names.clear();
    for (const auto& [name, _] : visuals) sample_names.push_back(name);
    sample_dim = visuals.empty() ? 0 : visuals.front().second.dim();
  }
  void on_epoch_end(int64_t epoch, const training::IterationInfo&) override { epochs.push_back(epoch); }
  void on_train_end(bool interrupted) override { ended_interrupted = interrupted; }
  void on_notice(const std::string& text) override { notices.push_back(text); }

  bool resumed = false, ended_interrupted = false;
  int64_t sample_dim = 0;  // dimensions of the last sample's first visual (4: images, 5: volumes)
  std::vector<int64_t> iterations, samples, epochs;
  std::vector<double> lrs;
  std::vector<std::string> last_names, sample_names, notices;

 private:
  std::atomic<bool>* stop_;
  int64_t stop_at_;
};

inline int count_lines(const std::filesystem::path& path) {
  int n = 0;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    for (int c; (c = std::fgetc(f)) != EOF;) n += c == '\n';
    std::fclose(f);
  }
  return n;
}

}  // namespace revgan::test
