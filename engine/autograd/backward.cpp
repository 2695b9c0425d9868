// Backward execution: count each node's consumers, then run nodes once all the gradients
// flowing into them have been summed. Ready nodes are run last-in-first-out, so a chain
// is walked depth-first and its temporaries die early.
#include "engine/autograd/backward.hpp"

#include <unordered_map>

#include "engine/autograd/grad_mode.hpp"
#include "engine/autograd/node.hpp"
#include "engine/ops/arithmetic.hpp"

namespace revgan {

namespace {

std::unordered_map<Node*, int> count_dependencies(const std::vector<Node*>& starts) {
  std::unordered_map<Node*, int> deps;
  std::vector<Node*> stack = starts;
  std::unordered_map<Node*, bool> seen;
  for (Node* s : starts) seen[s] = true;
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    for (const Edge& e : node->next_edges()) {
      if (!e.valid()) continue;
      Node* next = e.node.get();
      ++deps[next];
      if (!seen[next]) {
        seen[next] = true;
        stack.push_back(next);
      }
    }
  }
  return deps;
}

void accumulate(Tensor& slot, Tensor&& grad) {
  if (!slot.defined()) {
    slot = std::move(grad);
  } else {
    slot = ops::add(slot, grad);  // out of place: the incoming tensors may be shared
  }
}

}  // namespace

void run_backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads, bool retain_graph) {
  run_backward_capturing(roots, grads, {}, retain_graph);
}

std::vector<Tensor> run_backward_capturing(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads,
                                           const std::vector<Tensor>& capture, bool retain_graph) {
  std::unordered_map<Node*, std::size_t> captured_index;
  std::vector<Tensor> captured(capture.size());
  std::vector<std::shared_ptr<Node>> capture_nodes;  // held so that their addresses stay unique
  for (std::size_t i = 0; i < capture.size(); ++i) {
    REVGAN_CHECK(capture[i].defined() && capture[i].requires_grad() && capture[i].is_leaf(),
                 "backward: capture {} must be a leaf that requires grad", i);
    capture_nodes.push_back(grad_accumulator(capture[i]));
    captured_index[capture_nodes.back().get()] = i;
  }
  REVGAN_CHECK(roots.size() == grads.size(), "backward: {} roots but {} gradients", roots.size(), grads.size());
  NoGradScope no_grad;  // backward formulas are not themselves recorded
  std::unordered_map<Node*, std::vector<Tensor>> buffers;
  std::unordered_map<Node*, std::shared_ptr<Node>> keep_alive;
  std::vector<Node*> starts;
  for (std::size_t i = 0; i < roots.size(); ++i) {
    const Tensor& root = roots[i];
    REVGAN_CHECK(root.defined() && root.requires_grad(),
                 "backward: root {} does not require grad (no parameter or input on its path requires grad)",
                 root.describe());
    Tensor grad = grads[i];
    if (!grad.defined()) {
      REVGAN_CHECK(root.numel() == 1, "backward: root {} is not a scalar; pass its gradient explicitly",
                   root.describe());
      grad = ops::full(root.shape(), 1.0, root.dtype(), root.device());
    }
    REVGAN_CHECK(grad.shape() == root.shape() && grad.dtype() == root.dtype(),
                 "backward: gradient {} does not match root {}", grad.describe(), root.describe());
    Edge edge = gradient_edge(root);
    auto& buffer = buffers[edge.node.get()];
    buffer.resize(edge.node->outputs().size());
    accumulate(buffer[static_cast<std::size_t>(edge.input_nr)], std::move(grad));
    if (!keep_alive.count(edge.node.get())) starts.push_back(edge.node.get());
    keep_alive[edge.node.get()] = edge.node;
  }

  auto deps = count_dependencies(starts);
  std::vector<Node*> ready;
  for (Node* s : starts)
    if (deps[s] == 0) ready.push_back(s);

  while (!ready.empty()) {
    Node* node = ready.back();
    ready.pop_back();
    REVGAN_CHECK(!node->released(),
                 "backward: {} ran before and its saved tensors were released; call backward with "
                 "retain_graph=true the first time",
                 node->name());
    std::vector<Tensor> inputs = std::move(buffers[node]);
    buffers.erase(node);
    if (auto it = captured_index.find(node); it != captured_index.end()) {
      captured[it->second] = inputs.empty() ? Tensor() : std::move(inputs[0]);
      keep_alive.erase(node);
      continue;
    }
    inputs.resize(node->outputs().size());
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].defined()) {
        const OutputMeta& m = node->outputs()[i];
        inputs[i] = ops::full(m.shape, 0.0, m.dtype, m.device);
      }
    }
    std::vector<Tensor> outputs = node->apply(inputs);
    inputs.clear();
    if (!retain_graph && node->releases_state()) {
      node->release_saved();
      node->mark_released();
    }
    const auto& edges = node->next_edges();
    REVGAN_CHECK(outputs.size() <= edges.size(), "backward: {} returned {} gradients for {} inputs", node->name(),
                 outputs.size(), edges.size());
    for (std::size_t i = 0; i < edges.size(); ++i) {
      const Edge& e = edges[i];
      if (!e.valid()) continue;
      Node* next = e.node.get();
      if (i < outputs.size() && outputs[i].defined()) {
        auto& buffer = buffers[next];
        buffer.resize(next->outputs().size());
        accumulate(buffer[static_cast<std::size_t>(e.input_nr)], std::move(outputs[i]));
      }
      keep_alive[next] = e.node;
      if (--deps[next] == 0) ready.push_back(next);
    }
    keep_alive.erase(node);
  }
  return captured;
}

void Tensor::backward(const Tensor& grad, bool retain_graph) const {
  run_backward({*this}, {grad}, retain_graph);
}

}  // namespace revgan
