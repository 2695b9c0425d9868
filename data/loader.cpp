// The loader's two paths. The worker owns the epoch/batch cursor and blocks while the queue is
// full; the consumer blocks while it is empty; the destructor wakes both sides and joins.
#include "data/loader.hpp"

#include <algorithm>

#include "data/seed.hpp"
#include "engine/core/check.hpp"

namespace revgan::data {

namespace {
constexpr uint64_t order_stream = 0x6F72646572ull;  // keeps shuffles apart from sample draws
}

std::vector<int64_t> epoch_order(int64_t size, bool shuffle, uint64_t seed, uint64_t epoch) {
  std::vector<int64_t> order(static_cast<std::size_t>(size));
  for (int64_t i = 0; i < size; ++i) order[static_cast<std::size_t>(i)] = i;
  if (!shuffle) return order;
  Generator gen(derive_seed(seed, epoch, order_stream));
  for (int64_t i = size - 1; i > 0; --i)
    std::swap(order[static_cast<std::size_t>(i)], order[gen.below(static_cast<uint64_t>(i) + 1)]);
  return order;
}

int64_t batches_per_epoch(int64_t size, int64_t batch_size, bool drop_last) {
  REVGAN_CHECK(batch_size > 0, "loader: batch_size {} must be positive", batch_size);
  return drop_last ? size / batch_size : (size + batch_size - 1) / batch_size;
}

std::vector<int64_t> rank_order(const std::vector<int64_t>& order, int64_t rank, int64_t world) {
  REVGAN_CHECK(world >= 1 && rank >= 0 && rank < world, "loader: rank {} of {} processes", rank, world);
  if (world == 1) return order;
  const int64_t n = static_cast<int64_t>(order.size());
  const int64_t per_rank = (n + world - 1) / world;
  std::vector<int64_t> mine(static_cast<std::size_t>(per_rank));
  for (int64_t i = 0; i < per_rank; ++i)
    mine[static_cast<std::size_t>(i)] = order[static_cast<std::size_t>((i * world + rank) % n)];
  return mine;
}

Batch make_batch(const Dataset& dataset, const std::vector<int64_t>& order, int64_t batch_size, uint64_t epoch,
                 int64_t batch_index) {
  const int64_t n = static_cast<int64_t>(order.size());
  const int64_t begin = batch_index * batch_size;
  REVGAN_CHECK(begin >= 0 && begin < n, "loader: batch {} outside an epoch of {} samples", batch_index, n);
  const int64_t end = std::min(n, begin + batch_size);
  std::vector<Sample> samples;
  samples.reserve(static_cast<std::size_t>(end - begin));
  for (int64_t i = begin; i < end; ++i) samples.push_back(dataset.get(order[static_cast<std::size_t>(i)], epoch));
  Batch batch = collate(samples);
  batch.epoch = epoch;
  batch.index = batch_index;
  return batch;
}

Loader::Loader(std::shared_ptr<const Dataset> dataset, LoaderOptions options)
    : dataset_(std::move(dataset)), options_(options) {
  REVGAN_CHECK(dataset_ != nullptr, "loader: no dataset");
  REVGAN_CHECK(options_.prefetch >= 0, "loader: prefetch {} must be >= 0", options_.prefetch);
  REVGAN_CHECK(options_.num_epochs >= 0, "loader: num_epochs {} must be >= 0", options_.num_epochs);
  REVGAN_CHECK(batches_per_epoch() > 0, "loader: dataset {} has {} samples, fewer than one batch of {}",
               dataset_->options().dataroot.string(), dataset_->size(), options_.batch_size);
  sync_epoch_ = options_.first_epoch;
  if (options_.prefetch > 0) thread_ = std::thread([this] { worker(); });
}

Loader::~Loader() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  space_ready_.notify_all();
  try {
    if (thread_.joinable()) thread_.join();
  } catch (...) {
    // join only throws on a programming error (joining itself); there is nothing to recover.
  }
}

int64_t Loader::batches_per_epoch() const {
  const int64_t per_rank = (dataset_->size() + options_.world - 1) / options_.world;
  return data::batches_per_epoch(per_rank, options_.batch_size, options_.drop_last);
}

bool Loader::epoch_in_range(uint64_t epoch) const {
  return options_.num_epochs == 0 || epoch < options_.first_epoch + static_cast<uint64_t>(options_.num_epochs);
}

std::optional<Batch> Loader::next_synchronous() {
  if (!epoch_in_range(sync_epoch_)) return std::nullopt;
  if (sync_batch_ == 0)
    sync_order_ = rank_order(epoch_order(dataset_->size(), options_.shuffle, options_.seed, sync_epoch_),
                             options_.rank, options_.world);
  Batch batch = make_batch(*dataset_, sync_order_, options_.batch_size, sync_epoch_, sync_batch_);
  if (++sync_batch_ == batches_per_epoch()) {
    sync_batch_ = 0;
    ++sync_epoch_;
  }
  return batch;
}

std::optional<Batch> Loader::next() {
  if (options_.prefetch == 0) return next_synchronous();
  std::unique_lock lock(mutex_);
  if (error_) std::rethrow_exception(error_);
  if (finished_) return std::nullopt;
  items_ready_.wait(lock, [this] { return !queue_.empty(); });
  Item item = std::move(queue_.front());
  queue_.pop_front();
  lock.unlock();
  space_ready_.notify_one();
  if (item.error) {
    error_ = item.error;
    std::rethrow_exception(item.error);
  }
  if (!item.batch) finished_ = true;
  return std::move(item.batch);
}

void Loader::worker() {
  const auto push = [this](Item item) {
    std::unique_lock lock(mutex_);
    space_ready_.wait(lock, [this] { return stop_ || static_cast<int64_t>(queue_.size()) < options_.prefetch; });
    if (stop_) return false;
    queue_.push_back(std::move(item));
    lock.unlock();
    items_ready_.notify_one();
    return true;
  };
  const auto stopping = [this] {
    std::lock_guard lock(mutex_);
    return stop_;
  };
  try {
    const int64_t per_epoch = batches_per_epoch();
    for (uint64_t epoch = options_.first_epoch; epoch_in_range(epoch); ++epoch) {
      const auto order = rank_order(epoch_order(dataset_->size(), options_.shuffle, options_.seed, epoch),
                                    options_.rank, options_.world);
      for (int64_t b = 0; b < per_epoch; ++b) {
        if (stopping()) return;
        if (!push({make_batch(*dataset_, order, options_.batch_size, epoch, b), nullptr})) return;
      }
    }
    push({std::nullopt, nullptr});
  } catch (...) {
    try {
      push({std::nullopt, std::current_exception()});
    } catch (...) {
      // Only a failing mutex could get here; the thread must not let anything escape.
    }
  }
}

}  // namespace revgan::data
