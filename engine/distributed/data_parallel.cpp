// Bucketed gradient averaging and parameter broadcast. A bucket is one flat tensor on the
// parameters' device; each parameter's gradient is a contiguous range of it, reached through a
// [1, n] view (Tensor::narrow_channels views ranges of a single-item tensor).
#include "engine/distributed/data_parallel.hpp"

#include <chrono>
#include <map>
#include <utility>

#include "engine/autograd/grad_mode.hpp"
#include "engine/memory/memory_category.hpp"
#include "engine/ops/arithmetic.hpp"

namespace revgan::distributed {

namespace {

// A range of `flat` ([1, total]) shaped like `like`.
Tensor range_of(const Tensor& flat, int64_t offset, const Tensor& like) {
  return flat.narrow_channels(offset, like.numel()).reshape(like.shape());
}

void reduce_bucket(Communicator& comm, const std::vector<Tensor>& params, int64_t elements, ReduceStats* stats) {
  const Tensor& first = params.front();
  Tensor flat = Tensor::empty({1, elements}, first.dtype(), first.device());
  int64_t offset = 0;
  for (const Tensor& p : params) {
    Tensor slot = range_of(flat, offset, p);
    if (p.grad().defined())
      slot.copy_from(p.grad());
    else
      slot.copy_from(ops::zeros_like(p));
    offset += p.numel();
  }
  comm.all_reduce_sum(flat);
  const Tensor mean = ops::scale(flat, 1.0 / comm.size());
  offset = 0;
  for (const Tensor& p : params) {
    const Tensor averaged = range_of(mean, offset, p);
    if (p.grad().defined()) {
      Tensor grad = p.grad();
      grad.copy_from(averaged);
    } else {
      const MemoryCategoryScope category(MemoryCategory::gradients);
      Tensor leaf = p;
      leaf.set_grad(averaged.clone());
    }
    offset += p.numel();
  }
  if (stats != nullptr) {
    stats->bytes += static_cast<int64_t>(flat.nbytes());
    ++stats->buckets;
  }
}

}  // namespace

void average_gradients(Communicator& comm, const std::vector<Tensor>& params, ReduceStats* stats,
                       int64_t bucket_bytes) {
  if (comm.size() == 1) return;
  const auto start = std::chrono::steady_clock::now();
  NoGradScope no_grad;
  // Buckets per (device, dtype), filled in parameter order, which every rank shares.
  std::map<std::pair<std::string, DType>, std::vector<Tensor>> pending;
  std::map<std::pair<std::string, DType>, int64_t> pending_elements;
  auto flush = [&](const std::pair<std::string, DType>& key) {
    if (pending[key].empty()) return;
    reduce_bucket(comm, pending[key], pending_elements[key], stats);
    pending[key].clear();
    pending_elements[key] = 0;
  };
  for (const Tensor& p : params) {
    const auto key = std::make_pair(p.device().str(), p.dtype());
    const int64_t element_bytes = static_cast<int64_t>(dtype_size(p.dtype()));
    if (!pending[key].empty() && (pending_elements[key] + p.numel()) * element_bytes > bucket_bytes) flush(key);
    pending[key].push_back(p);
    pending_elements[key] += p.numel();
  }
  for (auto& [key, _] : pending) flush(key);
  if (stats != nullptr)
    stats->seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void broadcast_parameters(Communicator& comm, const std::vector<Tensor>& params) {
  if (comm.size() == 1) return;
  NoGradScope no_grad;
  for (Tensor p : params) comm.broadcast(p, 0);
}

}  // namespace revgan::distributed
