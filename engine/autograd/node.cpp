// Graph wiring and gradient accumulation into leaves.
#include "engine/autograd/node.hpp"

#include <mutex>

#include "engine/autograd/gradient_sink.hpp"
#include "engine/memory/memory_category.hpp"
#include "engine/ops/arithmetic.hpp"

namespace revgan {

Edge gradient_edge(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return {};
  if (t.grad_fn()) return {t.grad_fn(), t.output_nr()};
  return {grad_accumulator(t), 0};
}

// Under a lock: graphs recorded on two threads at once (engine/autograd/concurrent_branches.hpp)
// may reach the same parameter, and must find one accumulator for it.
std::shared_ptr<Node> grad_accumulator(const Tensor& leaf) {
  static std::mutex mutex;
  const std::lock_guard<std::mutex> lock(mutex);
  TensorImpl* impl = leaf.impl();
  if (auto existing = impl->grad_accumulator.lock()) return existing;
  auto node = std::make_shared<AccumulateGrad>(leaf.impl_);
  node->set_output_metas({{leaf.shape(), leaf.dtype(), leaf.device()}});
  impl->grad_accumulator = node;
  return node;
}

void Node::connect(const std::vector<const Tensor*>& inputs, const std::vector<Tensor*>& outputs) {
  next_edges_.clear();
  next_edges_.reserve(inputs.size());
  for (const Tensor* in : inputs) next_edges_.push_back(in ? gradient_edge(*in) : Edge{});
  outputs_.clear();
  for (Tensor* out : outputs) outputs_.push_back({out->shape(), out->dtype(), out->device()});
  auto self = shared_from_this();
  for (std::size_t i = 0; i < outputs.size(); ++i) outputs[i]->set_history(self, static_cast<int>(i));
}

std::vector<Tensor> AccumulateGrad::apply(std::vector<Tensor>& grad_outputs) {
  Tensor& incoming = grad_outputs.at(0);
  if (GradientSink* sink = active_gradient_sink()) {
    sink->accumulate(leaf_, incoming);
    return {};
  }
  Tensor& grad = leaf_->grad;
  MemoryCategoryScope scope(MemoryCategory::gradients);
  if (!grad.defined()) {
    grad = incoming.clone();
  } else {
    ops::add_into(grad, incoming);
  }
  return {};
}

}  // namespace revgan
