// Per-thread gradient sinks: sums kept per leaf, merged into the leaves on request.
#include "engine/autograd/gradient_sink.hpp"

#include "engine/memory/memory_category.hpp"
#include "engine/ops/arithmetic.hpp"

namespace revgan {

namespace {
thread_local GradientSink* t_sink = nullptr;
}  // namespace

void GradientSink::accumulate(const std::shared_ptr<TensorImpl>& leaf, const Tensor& incoming) {
  MemoryCategoryScope scope(MemoryCategory::gradients);
  const auto [it, first] = index_.try_emplace(leaf.get(), sums_.size());
  if (first) {
    sums_.emplace_back(leaf, incoming.clone());
  } else {
    ops::add_into(sums_[it->second].second, incoming);
  }
}

void GradientSink::merge_into_leaves() {
  MemoryCategoryScope scope(MemoryCategory::gradients);
  for (auto& [leaf, sum] : sums_) {
    if (!leaf->grad.defined()) {
      leaf->grad = std::move(sum);
    } else {
      ops::add_into(leaf->grad, sum);
    }
  }
  sums_.clear();
  index_.clear();
}

GradientSink* active_gradient_sink() { return t_sink; }

GradientSinkScope::GradientSinkScope(GradientSink& sink) : previous_(t_sink) { t_sink = &sink; }
GradientSinkScope::~GradientSinkScope() { t_sink = previous_; }

}  // namespace revgan
