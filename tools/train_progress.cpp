// Progress: rate from a sliding window of recent iterations, ETA over the remaining epochs.
#include "tools/train_progress.hpp"

#include <chrono>
#include <cmath>

#include <fmt/format.h>

#include "engine/tensor/device_info.hpp"

namespace revgan::tools {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

constexpr std::size_t window = 50;

std::string loss_text(const training::StepLosses& losses) {
  std::string s;
  for (const auto& [name, v] : losses.values) s += fmt::format(" {} {:.3f}", name, v);
  return s;
}

}  // namespace

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<int64_t>(seconds + 0.5);
  return fmt::format("{}:{:02}:{:02}", total / 3600, (total / 60) % 60, total % 60);
}

ProgressPrinter::ProgressPrinter(std::FILE* out, bool tty, int64_t print_freq)
    : out_(out), tty_(tty), print_freq_(print_freq > 0 ? print_freq : 1) {}

double ProgressPrinter::rate() const {
  if (recent_.empty()) return 0;
  double sum = 0;
  for (double s : recent_) sum += s;
  return sum > 0 ? static_cast<double>(recent_.size()) / sum : 0;
}

void ProgressPrinter::end_live_line() {
  if (live_line_) fmt::print(out_, "\n");
  live_line_ = false;
}

void ProgressPrinter::on_train_begin(const training::TrainOptions& o, bool resumed) {
  experiment_ = o.name;
  // The device as the runtime names it, so an emulated CUDA device says that it is one.
  const std::string device = describe_device(parse_device(o.device));
  if (resumed)
    fmt::print(out_, "resuming {} ({}) on {} from its '{}' checkpoint, up to epoch {}, batch size {}\n", o.name,
               o.model, device, o.epoch, o.n_epochs + o.n_epochs_decay, o.batch_size);
  else
    fmt::print(out_, "training {} ({}) on {}: epochs {}..{}, batch size {}\n", o.name, o.model, device,
               o.epoch_count, o.n_epochs + o.n_epochs_decay, o.batch_size);
  std::fflush(out_);
  last_time_ = epoch_start_ = now_seconds();
}

void ProgressPrinter::on_iteration(const training::IterationInfo& info, const training::StepLosses& losses) {
  const double now = now_seconds();
  if (last_time_ >= 0) recent_.push_back(now - last_time_);
  if (recent_.size() > window) recent_.pop_front();
  last_time_ = now;
  if (info.epoch_iter == 1) epoch_start_ = now - (recent_.empty() ? 0 : recent_.back());

  const double r = rate();
  const int64_t remaining =
      (info.last_epoch - info.epoch) * info.iters_per_epoch + (info.iters_per_epoch - info.epoch_iter);
  const std::string eta = r > 0 ? format_duration(static_cast<double>(remaining) / r) : "?";
  if (tty_) {
    // Redrawing more than ~10 times a second only costs terminal time.
    if (now - last_draw_ < 0.1 && info.epoch_iter != info.iters_per_epoch) return;
    last_draw_ = now;
    constexpr int width = 20;
    const int filled = info.iters_per_epoch > 0
                           ? static_cast<int>(width * info.epoch_iter / info.iters_per_epoch)
                           : 0;
    fmt::print(out_, "\r\x1b[2Kepoch {}/{} [{}{}] {}/{} {:.2f} it/s ETA {} lr {:.2e} |{}", info.epoch,
               info.last_epoch, std::string(static_cast<std::size_t>(filled), '#'),
               std::string(static_cast<std::size_t>(width - filled), '.'), info.epoch_iter, info.iters_per_epoch, r,
               eta, info.lr, loss_text(losses));
    live_line_ = true;
  } else {
    if (info.total_iters % print_freq_ != 0) return;
    fmt::print(out_, "(epoch: {}, iters: {}/{}, total: {}, {:.2f} it/s, data: {:.3f}s, ETA {}, lr {:.3e})|{}\n",
               info.epoch, info.epoch_iter, info.iters_per_epoch, info.total_iters, r, info.data_seconds, eta,
               info.lr, loss_text(losses));
  }
  std::fflush(out_);
}

void ProgressPrinter::on_epoch_end(int64_t epoch, const training::IterationInfo& last) {
  end_live_line();
  fmt::print(out_, "end of epoch {} / {} ({}), lr {:.3e}, checkpoint saved{}\n", epoch, last.last_epoch,
             format_duration(now_seconds() - epoch_start_), last.lr,
             last.skipped_files > 0 ? fmt::format(", {} unreadable files skipped so far", last.skipped_files) : "");
  std::fflush(out_);
}

void ProgressPrinter::on_notice(const std::string& text) {
  end_live_line();
  fmt::print(stderr, "revgan_train: {}\n", text);
  std::fflush(stderr);
}

void ProgressPrinter::on_train_end(bool interrupted) {
  end_live_line();
  fmt::print(out_, "{} {}\n", experiment_, interrupted ? "interrupted" : "finished");
  std::fflush(out_);
}

}  // namespace revgan::tools
