// Graph walk behind SavedBytes. Deduplication is by Storage (not by tensor) because that is
// what is actually alive, and what the PyTorch peer's saved-tensor hook can also see.
#include "engine/autograd/saved_bytes.hpp"

#include <unordered_set>

#include "engine/autograd/node.hpp"

namespace revgan {

SavedBytes saved_for_backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& boundary) {
  SavedBytes out;
  std::unordered_set<const Node*> seen;
  for (const Tensor& b : boundary)
    if (b.defined() && b.grad_fn()) seen.insert(b.grad_fn().get());
  std::unordered_set<const Storage*> storages;
  std::vector<const Node*> stack;
  for (const Tensor& r : roots)
    if (r.defined() && r.grad_fn() && seen.insert(r.grad_fn().get()).second) stack.push_back(r.grad_fn().get());
  while (!stack.empty()) {
    const Node* node = stack.back();
    stack.pop_back();
    ++out.nodes;
    for (const Tensor& t : node->saved_tensors()) {
      if (!t.defined() || !storages.insert(t.storage().get()).second) continue;
      const auto bytes = static_cast<int64_t>(t.storage()->bytes());
      (t.storage()->category() == MemoryCategory::parameters ? out.parameter_bytes : out.activation_bytes) += bytes;
    }
    for (const Edge& e : node->next_edges())
      if (e.valid() && seen.insert(e.node.get()).second) stack.push_back(e.node.get());
  }
  out.storages = static_cast<int64_t>(storages.size());
  return out;
}

}  // namespace revgan
