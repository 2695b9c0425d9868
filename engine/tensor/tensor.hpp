// The engine's tensor: a shape, a dtype and an offset into shared, reference-counted
// storage (always contiguous, row-major), plus the autograd metadata (requires_grad, the
// accumulated gradient of a leaf, and the graph node that produced a non-leaf).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/check.hpp"
#include "engine/core/device.hpp"
#include "engine/core/dtype.hpp"
#include "engine/core/shape.hpp"
#include "engine/tensor/storage.hpp"

namespace revgan {

class Node;
struct TensorImpl;
struct Recompute;

class Tensor {
 public:
  Tensor() = default;  // undefined
  static Tensor empty(const Shape& shape, DType dtype = DType::float32, Device device = Device::cpu());

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  int dim() const { return shape().rank(); }
  int64_t size(int i) const;  // negative i counts from the end
  int64_t numel() const { return shape().numel(); }
  DType dtype() const;
  Device device() const;
  std::size_t nbytes() const { return static_cast<std::size_t>(numel()) * dtype_size(dtype()); }
  std::string describe() const;  // "float32[1, 3, 4, 4] on cpu"

  // Typed access; throws if T does not match the dtype. The mutable forms count as a write of
  // the storage (Storage::version); read through a const Tensor where nothing is written.
  template <class T> T* data();
  template <class T> const T* data() const;
  void* raw_data();
  const void* raw_data() const;
  const std::shared_ptr<Storage>& storage() const;
  // True when both tensors view the same storage.
  bool shares_storage_with(const Tensor& other) const;

  // Views (no copy) of contiguous ranges.
  Tensor reshape(const Shape& shape) const;
  // Channels [start, start + length) of dim 1; a view when N == 1, else a copy (use ops::slice_channels
  // for a differentiable slice).
  Tensor narrow_channels(int64_t start, int64_t length) const;
  Tensor detach() const;  // same storage, no autograd history

  Tensor clone() const;                    // deep copy, no history
  Tensor to(Device device) const;          // copy to another device (self if already there)
  Tensor to(DType dtype) const;            // converted copy (self if same dtype)
  void copy_from(const Tensor& src);       // element copy, same shape and dtype; any devices
  std::vector<double> to_vector() const;   // values as doubles (any device)
  double item() const;                     // a one-element tensor's value

  // Autograd.
  bool requires_grad() const;
  Tensor& set_requires_grad(bool enabled);
  bool is_leaf() const;
  const Tensor& grad() const;  // undefined until a backward reached this leaf
  void set_grad(const Tensor& grad);
  void zero_grad();  // drops the gradient buffer
  const std::shared_ptr<Node>& grad_fn() const;
  int output_nr() const;
  void set_history(std::shared_ptr<Node> node, int output_nr);
  // Back-propagates from this scalar (or with `grad` of the same shape).
  void backward(const Tensor& grad = Tensor(), bool retain_graph = false) const;

  TensorImpl* impl() const { return impl_.get(); }
  bool same(const Tensor& other) const { return impl_ == other.impl_; }

 private:
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<TensorImpl> impl_;
  friend std::shared_ptr<Node> grad_accumulator(const Tensor& leaf);
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  DType dtype = DType::float32;
  bool requires_grad = false;
  std::shared_ptr<Node> grad_fn;
  int output_nr = 0;
  std::weak_ptr<Node> grad_accumulator;  // leaves: shared by every use in a graph
  Tensor grad;                           // leaves: accumulated gradient
  // Set on outputs of cheap ops while recording: how to rebuild this from its input
  // (engine/autograd/saved_tensor.hpp).
  std::shared_ptr<const Recompute> recompute;
};

}  // namespace revgan
