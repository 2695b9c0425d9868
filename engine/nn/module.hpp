// Module: the unit of a network. Owns named parameters (leaf tensors charged to the
// "parameters" memory category) and named submodules; dotted paths ("enc_x.conv1.weight")
// name every parameter and are what checkpoints and optimizers key on.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  // Parameters are shared tensors; copying a module would alias them silently.
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // Shown in error messages ("Conv3d", "Sequential", ...).
  virtual std::string type_name() const { return "Module"; }
  // The default fails: containers without a natural chain (e.g. a whole GAN) have no forward.
  virtual Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }

  // Registers a parameter under `name` (no '.' or '/'; unique among this module's parameters
  // and children). A tensor not already charged to "parameters" is copied into a fresh
  // parameter buffer. The result requires grad and is returned for the caller to keep.
  Tensor register_parameter(const std::string& name, const Tensor& value);
  // A zero-filled parameter of the given shape.
  Tensor register_parameter(const std::string& name, const Shape& shape, DType dtype = DType::float32);
  // Registers a buffer: state that is saved and moved with the module but never trained (batch
  // norm's running statistics). Same naming rules as parameters; the tensor is kept as given
  // (copied when not charged to "parameters") and never requires grad.
  Tensor register_buffer(const std::string& name, const Tensor& value);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

  // Depth-first in registration order: own parameters first, then each child's.
  NamedTensors named_parameters() const;
  std::vector<Tensor> parameters() const;
  // Buffers, depth-first like named_parameters(); `buffer` looks one up by dotted path.
  NamedTensors named_buffers() const;
  Tensor buffer(const std::string& path) const;
  // This module's own parameters / children, in registration order.
  const NamedTensors& direct_parameters() const { return params_; }
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const { return children_; }
  // Every module of the tree with its path ("" for this one), parents before children.
  std::vector<std::pair<std::string, Module*>> named_modules();
  // Lookups by dotted path; throw naming the path when absent.
  Tensor parameter(const std::string& path) const;
  Module& submodule(const std::string& path);

  int64_t parameter_count() const;  // elements over all parameters
  void zero_grad();
  // Moves every parameter (and gradient) and buffer in place: tensors handed out earlier, e.g. to an
  // optimizer, see the new device. Optimizer state does not move; create optimizers after.
  void to(Device device);
  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name) const;
  void collect_parameters(const std::string& prefix, NamedTensors& out) const;
  void collect_buffers(const std::string& prefix, NamedTensors& out) const;

  NamedTensors params_;
  NamedTensors buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

// Joins path components with '.', skipping an empty prefix.
std::string join_path(const std::string& prefix, const std::string& name);

}  // namespace revgan::nn
