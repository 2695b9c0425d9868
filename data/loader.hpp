// Batches from a dataset, epoch after epoch: either built on demand (prefetch = 0) or prepared
// ahead by one background thread into a bounded queue. Both give the same batches for the same
// seeds, because each sample depends only on (seed, epoch, index).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "data/dataset.hpp"

namespace revgan::data {

struct LoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = true;     // pix2pix: not serial_batches
  bool drop_last = false;  // drop a final partial batch
  int64_t prefetch = 4;    // queue capacity in batches; 0 builds batches on the caller's thread
  uint64_t first_epoch = 0;
  int64_t num_epochs = 1;  // 0: endless
  uint64_t seed = 0;       // sample order; the dataset's own seed drives crops and flips
  // Data parallelism: this process is `rank` of `world`, and takes rank_order's share of every
  // epoch's order (world 1: the whole order).
  int64_t rank = 0;
  int64_t world = 1;
};

// The sample indices of one epoch: a seeded Fisher-Yates shuffle, or 0..size-1.
std::vector<int64_t> epoch_order(int64_t size, bool shuffle, uint64_t seed, uint64_t epoch);
int64_t batches_per_epoch(int64_t size, int64_t batch_size, bool drop_last);
// Rank `rank`'s share of an epoch's order among `world` processes: positions rank, rank + world,
// rank + 2 world, ... of the order padded (by wrapping around) to a multiple of `world`, so every
// rank gets the same number of samples, and N ranks with batch size b see together, batch for
// batch, the samples one process with batch size N b sees.
std::vector<int64_t> rank_order(const std::vector<int64_t>& order, int64_t rank, int64_t world);
// The synchronous path: batch `batch_index` of `epoch` given that epoch's order.
Batch make_batch(const Dataset& dataset, const std::vector<int64_t>& order, int64_t batch_size, uint64_t epoch,
                 int64_t batch_index);

class Loader {
 public:
  Loader(std::shared_ptr<const Dataset> dataset, LoaderOptions options);
  ~Loader();  // stops and joins the worker; never throws
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  // The next batch (Batch::epoch and Batch::index say where it belongs), or nothing once
  // num_epochs are done. An exception raised while preparing a batch is re-thrown here, and
  // again on every later call. Call from one consumer thread.
  std::optional<Batch> next();
  int64_t batches_per_epoch() const;
  const Dataset& dataset() const { return *dataset_; }

 private:
  struct Item {
    std::optional<Batch> batch;  // empty: end of the stream
    std::exception_ptr error;
  };
  bool epoch_in_range(uint64_t epoch) const;
  std::optional<Batch> next_synchronous();
  void worker();

  std::shared_ptr<const Dataset> dataset_;
  LoaderOptions options_;
  // Synchronous cursor.
  uint64_t sync_epoch_ = 0;
  int64_t sync_batch_ = 0;
  std::vector<int64_t> sync_order_;
  // Background state.
  std::mutex mutex_;
  std::condition_variable items_ready_;
  std::condition_variable space_ready_;
  std::deque<Item> queue_;
  bool stop_ = false;
  bool finished_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace revgan::data
