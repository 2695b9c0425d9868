// A thread's private destination for leaf gradients. While a GradientSinkScope is alive on a
// thread, AccumulateGrad sums what reaches a leaf into the sink instead of the leaf's .grad, so
// independent parts of one loss can be back-propagated on different threads without sharing a
// gradient tensor. merge_into_leaves() then adds the sink's sums to the leaves; merging the
// sinks of several parts in a fixed order gives the same bits however the parts were scheduled.
#pragma once

#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan {

class GradientSink {
 public:
  // Adds `incoming` to the sum kept for `leaf` (a copy on its first gradient).
  void accumulate(const std::shared_ptr<TensorImpl>& leaf, const Tensor& incoming);
  // Adds every sum to its leaf's .grad (moved in where the leaf has none) and empties the sink.
  void merge_into_leaves();
  std::size_t leaves() const { return sums_.size(); }

 private:
  std::vector<std::pair<std::shared_ptr<TensorImpl>, Tensor>> sums_;  // in order of first arrival
  std::unordered_map<const TensorImpl*, std::size_t> index_;
};

// The sink gradients go to on this thread, or null (they go to the leaves).
GradientSink* active_gradient_sink();

// Routes this thread's leaf gradients into `sink` while alive (nestable; restores the previous).
class GradientSinkScope {
 public:
  explicit GradientSinkScope(GradientSink& sink);
  ~GradientSinkScope();
  GradientSinkScope(const GradientSinkScope&) = delete;
  GradientSinkScope& operator=(const GradientSinkScope&) = delete;

 private:
  GradientSink* previous_;
};

}  // namespace revgan
