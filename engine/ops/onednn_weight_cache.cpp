// The cache of onednn_weight_cache.hpp: entries keyed by (storage id, byte offset, conv
// geometry, pass, bias, OpenMP team size: oneDNN may pick another layout for another team),
// each holding the storage version its copy was made from. A parameter's entries go when its
// storage is freed (Storage's free listener).
#include "engine/ops/onednn_weight_cache.hpp"

#include <omp.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "engine/core/check.hpp"
#include "engine/memory/memory_category.hpp"

namespace revgan::ops {

#ifdef REVGAN_WITH_ONEDNN
namespace {

namespace onednn = kernels::cpu::onednn;

constexpr std::size_t k_max_entries = 1024;

struct Entry {
  uint64_t version = 0;  // of the storage when `copy` was made
  Tensor copy;
};

using Key = std::vector<int64_t>;

Key key_of(const Tensor& w, const kernels::ConvGeometry& g, onednn::ConvPass pass, bool bias) {
  const Storage& storage = *w.storage();
  const int64_t offset = static_cast<const char*>(w.raw_data()) - static_cast<const char*>(storage.data());
  Key k{static_cast<int64_t>(storage.id()), offset, g.batch, g.in_channels, g.out_channels,
        static_cast<int64_t>(pass), bias ? 1 : 0, omp_get_max_threads()};
  for (const kernels::Extent3* e : {&g.input, &g.output, &g.kernel, &g.stride, &g.padding})
    k.insert(k.end(), e->begin(), e->end());
  return k;
}

bool enabled_from_environment() {
  const char* v = std::getenv("REVGAN_WEIGHT_CACHE");
  return v == nullptr || std::strcmp(v, "0") != 0;
}

struct Cache {
  std::mutex mutex;
  std::map<Key, Entry> entries;
  WeightCacheStats stats;
  bool enabled = enabled_from_environment();

  void drop_storage(uint64_t id) {
    auto it = entries.lower_bound(Key{static_cast<int64_t>(id)});
    while (it != entries.end() && it->first[0] == static_cast<int64_t>(id)) {
      stats.bytes -= static_cast<int64_t>(it->second.copy.nbytes());
      it = entries.erase(it);
    }
  }
  void drop_all() {
    entries.clear();
    stats.bytes = 0;
  }
};

// Never destroyed: parameters freed during exit still reach it through the free listener.
Cache& cache() {
  static Cache* instance = new Cache;
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
  Cache& c = cache();
  const std::lock_guard<std::mutex> lock(c.mutex);
  if (!c.enabled) return Tensor();
  const int64_t floats = onednn::prepared_weight_floats(g, pass, bias);
  if (floats == 0) return Tensor();
  const Key key = key_of(w, g, pass, bias);
  auto it = c.entries.find(key);
  if (it == c.entries.end()) {
    if (c.entries.size() >= k_max_entries) c.drop_all();
    const MemoryCategoryScope category(MemoryCategory::weight_copies);
    Entry e{0, Tensor::empty(Shape{floats})};
    static const bool listening = (Storage::set_free_listener(storage_freed), true);
    (void)listening;
    w.storage()->mark_copied();
    c.stats.bytes += static_cast<int64_t>(e.copy.nbytes());
    it = c.entries.emplace(key, std::move(e)).first;
  } else if (it->second.version == w.storage()->version()) {
    ++c.stats.hits;
    return it->second.copy;
  }
  Entry& e = it->second;
  e.version = w.storage()->version();
  float* copy = e.copy.data<float>();
  const onednn::Status st = onednn::prepare_weights(g, pass, bias, std::as_const(w).data<float>(), copy, workspace);
  if (!st.ok()) {
    c.stats.bytes -= static_cast<int64_t>(e.copy.nbytes());
    c.entries.erase(it);
    REVGAN_FAIL("conv: {}", st.message);
  }
  ++c.stats.reorders;
  return e.copy;
}

WeightCacheStats onednn_weight_cache_stats() {
  Cache& c = cache();
  const std::lock_guard<std::mutex> lock(c.mutex);
  WeightCacheStats s = c.stats;
  s.entries = static_cast<int64_t>(c.entries.size());
  return s;
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
