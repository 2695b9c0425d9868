// The cache of onednn_weight_cache.hpp: per parameter storage (by id), entries keyed by the
// tensor's byte offset in it and the oneDNN plan of the pass (onednn::plan_key: geometry, pass,
// bias, OpenMP team size, since oneDNN may pick another layout for another team), each holding
// the storage version its copy was made from. A storage's entries go when it is freed
// (Storage's free listener).
#include "engine/ops/onednn_weight_cache.hpp"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>

#include "engine/core/check.hpp"
#include "engine/memory/memory_category.hpp"

namespace revgan::ops {

#ifdef REVGAN_WITH_ONEDNN
namespace {

namespace onednn = kernels::cpu::onednn;

constexpr int64_t k_max_entries = 1024;

struct Entry {
  uint64_t version = 0;  // of the storage when `copy` was made
  Tensor copy;
};

// Within one storage: (byte offset of the weight tensor, plan of the pass).
using EntryKey = std::pair<int64_t, onednn::PlanKey>;

bool enabled_from_environment() {
  const char* v = std::getenv("REVGAN_WEIGHT_CACHE");
  return v == nullptr || std::strcmp(v, "0") != 0;
}

struct Cache {
  std::mutex mutex;
  std::map<uint64_t, std::map<EntryKey, Entry>> storages;
  WeightCacheStats stats;  // entries and bytes kept current here
  bool enabled = enabled_from_environment();

  void drop_storage(uint64_t id) {
    const auto it = storages.find(id);
    if (it == storages.end()) return;
    for (const auto& [key, entry] : it->second) stats.bytes -= static_cast<int64_t>(entry.copy.nbytes());
    stats.entries -= static_cast<int64_t>(it->second.size());
    storages.erase(it);
  }
  void drop_all() {
    storages.clear();
    stats.entries = 0;
    stats.bytes = 0;
  }
};

void storage_freed(uint64_t id);

// Never destroyed: parameters freed during exit still reach it through the free listener,
// which it registers when first used.
Cache& cache() {
  static Cache* instance = [] {
    Storage::set_free_listener(storage_freed);
    return new Cache;
  }();
  return *instance;
}

void storage_freed(uint64_t id) {
  Cache& c = cache();
  const std::lock_guard<std::mutex> lock(c.mutex);
  c.drop_storage(id);
}

}  // namespace

Tensor onednn_prepared_weights(const Tensor& w, const kernels::ConvGeometry& g, onednn::ConvPass pass, bool bias,
                               float* workspace) {
  // Parameters only (allocated as such; the backward's saved weight is a detached view of one).
  if (!w.defined() || w.dtype() != DType::float32 || !w.device().is_cpu() ||
      w.storage()->category() != MemoryCategory::parameters)
    return Tensor();
  Storage& storage = *w.storage();
  const int64_t offset =
      static_cast<const char*>(w.raw_data()) - static_cast<const char*>(std::as_const(storage).data());
  const EntryKey key{offset, onednn::plan_key(g, pass, bias)};
  Cache& c = cache();
  const std::lock_guard<std::mutex> lock(c.mutex);
  if (!c.enabled) return Tensor();
  Entry* entry = nullptr;
  if (const auto kept = c.storages.find(storage.id()); kept != c.storages.end()) {
    if (const auto it = kept->second.find(key); it != kept->second.end()) entry = &it->second;
  }
  if (entry != nullptr && entry->version == storage.version()) {
    ++c.stats.hits;
    return entry->copy;
  }
  if (entry == nullptr) {
    const int64_t floats = onednn::prepared_weight_floats(g, pass, bias);
    if (floats == 0) return Tensor();
    if (c.stats.entries >= k_max_entries) c.drop_all();
    const MemoryCategoryScope category(MemoryCategory::weight_copies);
    entry = &c.storages[storage.id()].emplace(key, Entry{0, Tensor::empty(Shape{floats})}).first->second;
    storage.mark_copied();
    c.stats.bytes += static_cast<int64_t>(entry->copy.nbytes());
    ++c.stats.entries;
  }
  entry->version = storage.version();
  const onednn::Status st =
      onednn::prepare_weights(g, pass, bias, std::as_const(w).data<float>(), entry->copy.data<float>(), workspace);
  if (!st.ok()) {
    std::map<EntryKey, Entry>& kept = c.storages[storage.id()];
    c.stats.bytes -= static_cast<int64_t>(entry->copy.nbytes());
    --c.stats.entries;
    kept.erase(key);
    if (kept.empty()) c.storages.erase(storage.id());
    REVGAN_FAIL("conv: {}", st.message);
  }
  ++c.stats.reorders;
  return entry->copy;
}

WeightCacheStats onednn_weight_cache_stats() {
  Cache& c = cache();
  const std::lock_guard<std::mutex> lock(c.mutex);
  return c.stats;
}

void set_onednn_weight_cache(bool enabled) {
  Cache& c = cache();
  const std::lock_guard<std::mutex> lock(c.mutex);
  c.enabled = enabled;
  if (!enabled) c.drop_all();
}

bool onednn_weight_cache_enabled() {
  Cache& c = cache();
  const std::lock_guard<std::mutex> lock(c.mutex);
  return c.enabled;
}

#else  // without oneDNN no pass reorders weights

Tensor onednn_prepared_weights(const Tensor&, const kernels::ConvGeometry&, kernels::cpu::onednn::ConvPass, bool,
                               float*) {
  return Tensor();
}
WeightCacheStats onednn_weight_cache_stats() { return {}; }
void set_onednn_weight_cache(bool) {}
bool onednn_weight_cache_enabled() { return false; }

#endif

}  // namespace revgan::ops
