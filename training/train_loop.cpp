// The epoch loop, the same for images and volumes (make_training_dataset). Batches come from
// data::Loader for whole epochs; a resumed partial epoch is built synchronously from the same
// (seed, epoch) order, so it sees the same remaining batches. With --cpu_threads adaptive, a
// change of the CPU team is reported as a notice.
#include "training/train_loop.hpp"

#include <chrono>
#include <cstdio>
#include <optional>

#include "data/loader.hpp"
#include "engine/distributed/single_process.hpp"
#include "engine/io/atomic_file.hpp"
#include "training/lr_schedule.hpp"
#include "training/seeds.hpp"
#include "training/training_data.hpp"

namespace revgan::training {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The batches of one epoch from `first_batch` on.
class EpochBatches {
 public:
  EpochBatches(std::shared_ptr<const data::Dataset> dataset, const TrainOptions& o, uint64_t order_seed,
               int64_t epoch, int64_t first_batch, const distributed::Communicator& comm)
      : dataset_(std::move(dataset)), batch_size_(o.batch_size), epoch_(epoch), next_(first_batch) {
    data::LoaderOptions lo;
    lo.batch_size = o.batch_size;
    lo.shuffle = !o.serial_batches;
    lo.prefetch = o.num_threads;
    lo.first_epoch = static_cast<uint64_t>(epoch);
    lo.num_epochs = 1;
    lo.seed = order_seed;
    lo.rank = comm.rank();
    lo.world = comm.size();
    if (first_batch == 0) {
      loader_.emplace(dataset_, lo);
      count_ = loader_->batches_per_epoch();
    } else {
      order_ = data::rank_order(data::epoch_order(dataset_->size(), lo.shuffle, order_seed, static_cast<uint64_t>(epoch)),
                                lo.rank, lo.world);
      count_ = data::batches_per_epoch(static_cast<int64_t>(order_.size()), o.batch_size, lo.drop_last);
    }
  }
  int64_t count() const { return count_; }
  std::optional<data::Batch> next() {
    if (loader_) return loader_->next();
    if (next_ >= count_) return std::nullopt;
    return data::make_batch(*dataset_, order_, batch_size_, static_cast<uint64_t>(epoch_), next_++);
  }

 private:
  std::shared_ptr<const data::Dataset> dataset_;
  int64_t batch_size_, epoch_, next_, count_ = 0;
  std::optional<data::Loader> loader_;
  std::vector<int64_t> order_;
};

// loss_log.csv: appended to on resume; the header is written once, into an empty file.
class LossLog {
 public:
  LossLog(const std::filesystem::path& path, const std::vector<std::string>& names) : path_(path.string()) {
    std::error_code ec;
    const bool fresh = !std::filesystem::exists(path, ec) || std::filesystem::file_size(path, ec) == 0;
    file_ = std::fopen(path_.c_str(), "ab");
    REVGAN_CHECK(file_ != nullptr, "cannot open the loss log '{}' for appending", path_);
    if (fresh) {
      fmt::print(file_, "epoch,epoch_iter,total_iters,lr,seconds");
      for (const std::string& n : names) fmt::print(file_, ",{}", n);
      fmt::print(file_, "\n");
    }
  }
  ~LossLog() {
    if (file_ != nullptr) std::fclose(file_);
  }
  LossLog(const LossLog&) = delete;
  LossLog& operator=(const LossLog&) = delete;

  void append(const IterationInfo& info, double seconds, const StepLosses& losses) {
    fmt::print(file_, "{},{},{},{},{:.3f}", info.epoch, info.epoch_iter, info.total_iters, info.lr, seconds);
    for (const auto& [_, v] : losses.values) fmt::print(file_, ",{}", v);
    fmt::print(file_, "\n");
    // A crash or Ctrl-C must not lose the lines already reported.
    REVGAN_CHECK(std::fflush(file_) == 0, "cannot write the loss log '{}'", path_);
  }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  REVGAN_CHECK(f != nullptr, "cannot write '{}'", path.string());
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  REVGAN_CHECK(std::fclose(f) == 0 && ok, "cannot write '{}'", path.string());
}

// With --cpu_threads adaptive: a notice whenever the team differs from the last one reported.
void report_team_change(const AdaptiveThreads* threads, int& reported_team, RunObserver& observer) {
  if (threads == nullptr || threads->team() == reported_team) return;
  observer.on_notice(fmt::format("CPU threads {} -> {}: other processes kept {:.1f} of {} CPUs busy", reported_team,
                                 threads->team(), threads->other_cores(), threads->cpus()));
  reported_team = threads->team();
}

}  // namespace

std::filesystem::path experiment_dir(const TrainOptions& o) {
  return std::filesystem::path(o.checkpoints_dir) / o.name;
}

std::filesystem::path checkpoint_path(const TrainOptions& o, const std::string& which) {
  return experiment_dir(o) / (which + ".h5");
}

TrainRunResult run_training(const ResolvedOptions& resolved, RunObserver& observer, const std::atomic<bool>* stop,
                            distributed::Communicator* group) {
  const TrainOptions& o = resolved.get();
  REVGAN_CHECK(!o.dataroot.empty(), "option dataroot: a dataset folder is required");
  distributed::SingleProcess single;
  distributed::Communicator& comm = group != nullptr ? *group : single;
  // Only rank 0 writes files (checkpoints, logs, options); every rank reads the dataset and,
  // on resume, the checkpoint.
  const bool writer = comm.rank() == 0;
  const std::filesystem::path dir = experiment_dir(o);
  std::error_code ec;
  if (writer) {
    std::filesystem::create_directories(dir, ec);
    REVGAN_CHECK(!ec, "cannot create the experiment folder '{}': {}", dir.string(), ec.message());
    // Saves killed mid-write (kill -9, power loss) leave their temporary files behind.
    for (const std::filesystem::path& stale : io::remove_stale_temporaries(dir))
      observer.on_notice(fmt::format("removed '{}', left by an interrupted save", stale.string()));
  }

  Trainer trainer(resolved);
  if (comm.size() > 1) trainer.set_communicator(comm);
  int reported_team = trainer.adaptive_threads() != nullptr ? trainer.adaptive_threads()->team() : 0;
  TrainRunResult result;
  TrainProgress& progress = result.progress;
  progress.epoch = o.epoch_count;
  if (o.continue_train) {
    const std::string path = checkpoint_path(o, o.epoch).string();
    progress = trainer.load(path);
  }
  trainer.broadcast_parameters();
  if (writer) write_text_file(dir / "train_opt.json", options_to_json(o) + "\n");

  const std::shared_ptr<const data::Dataset> dataset = make_training_dataset(resolved, trainer.data_seed());
  REVGAN_CHECK(dataset->size() > 0, "the dataset under '{}' is empty", o.dataroot);
  const uint64_t order_seed = network_seed(trainer.data_seed(), SeedStream::data_order);
  const int64_t last_epoch = o.n_epochs + o.n_epochs_decay;
  std::optional<LossLog> log;
  if (writer) log.emplace(dir / "loss_log.csv", trainer.loss_names());
  int64_t reported_skips = 0;  // of dataset->skipped_files(), already announced
  const Clock::time_point run_start = Clock::now();

  auto save = [&](const std::string& which, const TrainProgress& at) {
    const std::string path = checkpoint_path(o, which).string();
    try {
      trainer.save(path, at);
    } catch (const Error& e) {
      // The write goes to a temporary file that is removed on failure: the previous checkpoint
      // (a resume point) survives, and saying so matters more than the HDF5 detail.
      REVGAN_FAIL("cannot save the training state to '{}' (disk full or not writable?); the previous '{}', if any, is "
                  "unchanged: {}",
                  path, path, e.message());
    }
    result.last_checkpoint = path;
  };
  // A stop requested on any rank (Ctrl-C, SIGTERM) stops every rank at the same step.
  auto stop_requested = [&] {
    const bool mine = stop != nullptr && stop->load();
    return comm.size() > 1 ? comm.any(mine) : mine;
  };

  observer.on_train_begin(o, o.continue_train);
  IterationInfo info;
  info.last_epoch = last_epoch;
  info.batch_size = o.batch_size;
  for (; progress.epoch <= last_epoch; ++progress.epoch, progress.epoch_iter = 0) {
    trainer.set_learning_rate(lr_for_epoch(o, progress.epoch));
    EpochBatches batches(dataset, o, order_seed, progress.epoch, progress.epoch_iter, comm);
    info.epoch = progress.epoch;
    info.iters_per_epoch = batches.count();
    info.lr = trainer.learning_rate();
    while (progress.epoch_iter < batches.count()) {
      if (stop_requested()) {
        result.interrupted = true;
        if (o.save_latest_on_exit) save("latest", progress);
        observer.on_train_end(true);
        return result;
      }
      Clock::time_point t0 = Clock::now();
      std::optional<data::Batch> batch;
      try {
        batch = batches.next();
      } catch (const Error& e) {
        // Nothing of this step has run: the state is that after the last good step. With several
        // ranks the others are already inside this step's collectives, so nothing can be saved
        // together; the last epoch's latest.h5 is the resume point.
        if (comm.size() > 1)
          REVGAN_FAIL("{}\nrank {} of {}: training stops; latest.h5 of the last finished epoch is the resume point",
                      e.message(), comm.rank(), comm.size());
        save("latest", progress);
        REVGAN_FAIL("{}\nThe training state before this step is saved in '{}'. Fix or remove the file (or train "
                    "with --skip_unreadable) and resume with --continue_train",
                    e.message(), checkpoint_path(o, "latest").string());
      }
      REVGAN_CHECK(batch.has_value(), "epoch {} ended after {} of {} batches", progress.epoch, progress.epoch_iter,
                   batches.count());
      info.data_seconds = seconds_since(t0);
      if (dataset->skipped_count() > reported_skips) {
        // skipped_files() returns a copy (taken under the dataset's lock): hold it while reading.
        const std::vector<data::Dataset::SkippedFile> skipped_files = dataset->skipped_files();
        for (; reported_skips < static_cast<int64_t>(skipped_files.size()); ++reported_skips) {
          const data::Dataset::SkippedFile& skipped = skipped_files[static_cast<std::size_t>(reported_skips)];
          observer.on_notice(fmt::format("skipped unreadable '{}': {}", skipped.path, skipped.reason));
        }
      }
      info.skipped_files = reported_skips;
      t0 = Clock::now();
      const StepLosses losses = trainer.train_step(*batch);
      report_team_change(trainer.adaptive_threads(), reported_team, observer);
      ++result.steps;
      result.all_reduce = trainer.reduce_stats();
      info.step_seconds = seconds_since(t0);
      ++progress.epoch_iter;
      ++progress.total_iters;
      info.epoch_iter = progress.epoch_iter;
      info.total_iters = progress.total_iters;
      if (log) log->append(info, seconds_since(run_start), losses);
      observer.on_iteration(info, losses);
      const bool epoch_done = progress.epoch_iter == batches.count();
      if ((o.display_freq > 0 && progress.total_iters % o.display_freq == 0) || epoch_done)
        observer.on_sample(info, trainer.visuals());
    }
    // The finished epoch's checkpoints describe the start of the next one.
    const TrainProgress next{progress.epoch + 1, 0, progress.total_iters};
    save("latest", next);
    if (progress.epoch % o.save_epoch_freq == 0) save(std::to_string(progress.epoch), next);
    observer.on_epoch_end(progress.epoch, info);
  }
  observer.on_train_end(false);
  return result;
}

}  // namespace revgan::training
