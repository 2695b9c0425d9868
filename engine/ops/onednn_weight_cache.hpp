// oneDNN's re-laid-out copies of conv weights, kept between calls. A oneDNN conv pass computes
// with its weights in a blocked layout; reordering them on every call cost 15-25 ms of a 2-thread
// training step at 128x128 (docs/benchmarks.md), although a network's weights change only when its
// optimizer steps, while a discriminator runs three or four forwards and backwards per step.
// The cache keeps one copy per (parameter, layout) and reorders it again only when the
// parameter's storage was written since (Storage::version, bumped by every mutable access), so
// a cached pass computes with exactly the bits an uncached one would. Only parameters are kept
// (float32 CPU storages charged to MemoryCategory::parameters), and the conv op asks only in
// backward passes and in forwards autograd records: a no-grad forward (inference) uses each weight
// once and reorders it per call. The copies are charged to MemoryCategory::weight_copies.
#pragma once

#include <cstdint>

#include "engine/tensor/tensor.hpp"
#include "kernels/common/geometry.hpp"
#include "kernels/cpu/onednn_conv.hpp"

namespace revgan::ops {

// The copy of `w` laid out for oneDNN's pass `pass` of conv `g` (the kernels' geometry: for a
// transposed conv's input gradient, its adjoint conv's forward), current with w's contents; an
// undefined tensor when the pass takes no reordered weights, w is not a parameter, the cache is
// off, or oneDNN is not built. The returned tensor keeps the copy alive while the caller uses it
// (another thread may drop the entry). `workspace`: the pass's workspace (the reorder's
// scratchpad sits in it).
Tensor onednn_prepared_weights(const Tensor& w, const kernels::ConvGeometry& g, kernels::cpu::onednn::ConvPass pass,
                               bool bias, float* workspace);

struct WeightCacheStats {
  int64_t hits = 0;       // calls served by a current copy
  int64_t reorders = 0;   // copies made or brought up to date
  int64_t entries = 0;    // copies held
  int64_t bytes = 0;      // their size
};
WeightCacheStats onednn_weight_cache_stats();

// On by default; off drops every copy. REVGAN_WEIGHT_CACHE=0 starts a process with it off.
void set_onednn_weight_cache(bool enabled);
bool onednn_weight_cache_enabled();

}  // namespace revgan::ops
