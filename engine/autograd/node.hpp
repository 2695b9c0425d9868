// A node of the dynamic autograd graph: the backward of one op application. It holds
// edges to the nodes of its differentiable inputs, the metadata of its outputs (so that
// missing output gradients can be materialised as zeros) and whatever tensors the op saved.
#pragma once

#include <memory>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan {

class Node;

struct Edge {
  std::shared_ptr<Node> node;  // null: this input needs no gradient
  int input_nr = 0;            // which output of `node` this input was
  bool valid() const { return node != nullptr; }
};

struct OutputMeta {
  Shape shape;
  DType dtype = DType::float32;
  Device device;
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  virtual ~Node() = default;
  virtual const char* name() const = 0;
  // grad_outputs has one defined tensor per output. Returns one gradient per input edge
  // (undefined where the edge is invalid or the gradient is known to be zero).
  virtual std::vector<Tensor> apply(std::vector<Tensor>& grad_outputs) = 0;
  // Drops the saved tensors; called after the node ran unless the graph is retained.
  virtual void release_saved() {}
  // The tensors the node currently holds for its backward (empty once released); lets tools
  // such as the bench measure what a graph keeps alive.
  virtual std::vector<Tensor> saved_tensors() const { return {}; }

  const std::vector<Edge>& next_edges() const { return next_edges_; }
  const std::vector<OutputMeta>& outputs() const { return outputs_; }
  bool needs_input_grad(std::size_t i) const { return i < next_edges_.size() && next_edges_[i].valid(); }

  // Wires this node: an edge per input (valid only for inputs that require grad), and
  // makes it the grad_fn of each output.
  void connect(const std::vector<const Tensor*>& inputs, const std::vector<Tensor*>& outputs);
  void set_output_metas(std::vector<OutputMeta> metas) { outputs_ = std::move(metas); }

  // Set once release_saved() ran; a second backward through the node is then an error.
  bool released() const { return released_; }
  void mark_released() { released_ = true; }
  // Whether running the node releases anything (a leaf's accumulator saves nothing: the same
  // accumulator may serve several backward passes, e.g. a recorded reversible block and the
  // memory-saving executor's local graphs over the same parameters in one step).
  virtual bool releases_state() const { return true; }

 private:
  bool released_ = false;
  std::vector<Edge> next_edges_;
  std::vector<OutputMeta> outputs_;
};

// The node that adds incoming gradients into a leaf's .grad, or into the thread's GradientSink
// where one is active (charged to "gradients" memory).
class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf) : leaf_(std::move(leaf)) {}
  const char* name() const override { return "AccumulateGrad"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grad_outputs) override;
  bool releases_state() const override { return false; }

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

std::shared_ptr<Node> grad_accumulator(const Tensor& leaf);

// The edge through which a gradient reaches `t`: its grad_fn, or its leaf accumulator.
Edge gradient_edge(const Tensor& t);

}  // namespace revgan
