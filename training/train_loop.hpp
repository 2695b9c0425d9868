// The epoch loop of revgan_train as a library function: data, learning-rate schedule, loss log,
// checkpoints, resumption and a cooperative stop (e.g. set by a SIGINT handler).
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "engine/distributed/data_parallel.hpp"
#include "training/options.hpp"
#include "training/run_observer.hpp"
#include "training/trainer.hpp"

namespace revgan::training {

struct TrainRunResult {
  bool interrupted = false;     // stopped on request before the last epoch finished
  TrainProgress progress;       // where the run stands (what a resume would continue from)
  std::string last_checkpoint;  // the last file written ("" if none)
  int64_t steps = 0;            // training steps this call ran
  distributed::ReduceStats all_reduce;  // gradient averaging over those steps (data parallelism)
};

// checkpoints_dir/name
std::filesystem::path experiment_dir(const TrainOptions& options);
// experiment_dir/<which>.h5 (which: "latest" or an epoch number)
std::filesystem::path checkpoint_path(const TrainOptions& options, const std::string& which);

// Trains epochs epoch_count .. n_epochs + n_epochs_decay on make_training_dataset(options):
// image layouts per dataset_mode for 2D models, volume patches for 3D models. With continue_train, first loads checkpoint_path(options, options.epoch) and
// continues from the exact batch it stopped at. Writes experiment_dir/train_opt.json, appends
// one line per step to loss_log.csv, saves latest.h5 after every epoch and <epoch>.h5 every
// save_epoch_freq epochs. `stop` is polled before every step; when set, latest.h5 is saved
// (save_latest_on_exit) and the function returns with interrupted = true.
// Data parallelism: with `group` of N > 1 processes, each rank trains on its share of every
// epoch (data::rank_order), gradients are averaged before every optimizer step, a stop on any
// rank stops all at the same step, and only rank 0 writes files; every rank must call this with
// the same options. nullptr: a single process.
TrainRunResult run_training(const ResolvedOptions& options, RunObserver& observer,
                            const std::atomic<bool>* stop = nullptr, distributed::Communicator* group = nullptr);

}  // namespace revgan::training
