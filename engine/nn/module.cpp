// Module registration, traversal and in-place device moves.
#include "engine/nn/module.hpp"

#include "engine/autograd/node.hpp"
#include "engine/memory/memory_category.hpp"
#include "engine/ops/arithmetic.hpp"

namespace revgan::nn {

std::string join_path(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

namespace {

// Copies `t` to `device` and points t's own impl at the copy, so every holder of `t` follows.
void move_in_place(const Tensor& t, Device device, MemoryCategory category) {
  if (!t.defined() || t.device() == device) return;
  Tensor moved;
  {
    MemoryCategoryScope scope(category);
    moved = Tensor::empty(t.shape(), t.dtype(), device);
  }
  moved.copy_from(t);
  TensorImpl* impl = t.impl();
  impl->storage = moved.storage();
  impl->offset = 0;
}

}  // namespace

Tensor Module::forward(const Tensor&) {
  REVGAN_FAIL("{}: this module has no forward(); call its parts", type_name());
}

void Module::check_new_name(const std::string& name) const {
  REVGAN_CHECK(!name.empty() && name.find_first_of("./") == std::string::npos,
               "{}: invalid name '{}' (must be non-empty, without '.' or '/')", type_name(), name);
  for (const auto& [n, _] : params_)
    REVGAN_CHECK(n != name, "{}: a parameter named '{}' is already registered", type_name(), name);
  for (const auto& [n, _] : buffers_)
    REVGAN_CHECK(n != name, "{}: a buffer named '{}' is already registered", type_name(), name);
  for (const auto& [n, _] : children_)
    REVGAN_CHECK(n != name, "{}: a submodule named '{}' is already registered", type_name(), name);
}

Tensor Module::register_parameter(const std::string& name, const Tensor& value) {
  check_new_name(name);
  REVGAN_CHECK(value.defined(), "{}: parameter '{}' is undefined", type_name(), name);
  REVGAN_CHECK(value.is_leaf(), "{}: parameter '{}' must be a leaf tensor, not the output of {}", type_name(), name,
               value.grad_fn() ? value.grad_fn()->name() : "");
  Tensor p = value;
  if (value.storage()->category() != MemoryCategory::parameters) {
    MemoryCategoryScope scope(MemoryCategory::parameters);
    p = value.clone();
  }
  p.set_requires_grad(true);
  params_.emplace_back(name, p);
  return p;
}

Tensor Module::register_parameter(const std::string& name, const Shape& shape, DType dtype) {
  Tensor t;
  {
    MemoryCategoryScope scope(MemoryCategory::parameters);
    t = ops::zeros(shape, dtype);
  }
  return register_parameter(name, t);
}

Tensor Module::register_buffer(const std::string& name, const Tensor& value) {
  check_new_name(name);
  REVGAN_CHECK(value.defined(), "{}: buffer '{}' is undefined", type_name(), name);
  Tensor b = value.detach();
  if (value.storage()->category() != MemoryCategory::parameters) {
    MemoryCategoryScope scope(MemoryCategory::parameters);
    b = value.detach().clone();
  }
  buffers_.emplace_back(name, b);
  return b;
}

void Module::collect_buffers(const std::string& prefix, NamedTensors& out) const {
  for (const auto& [name, t] : buffers_) out.emplace_back(join_path(prefix, name), t);
  for (const auto& [name, child] : children_) child->collect_buffers(join_path(prefix, name), out);
}

NamedTensors Module::named_buffers() const {
  NamedTensors out;
  collect_buffers("", out);
  return out;
}

Tensor Module::buffer(const std::string& path) const {
  for (const auto& [name, t] : named_buffers())
    if (name == path) return t;
  REVGAN_FAIL("{}: no buffer '{}'", type_name(), path);
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name);
  REVGAN_CHECK(module != nullptr, "{}: submodule '{}' is null", type_name(), name);
  REVGAN_CHECK(module.get() != this, "{}: a module cannot be its own submodule", type_name());
  children_.emplace_back(name, std::move(module));
}

void Module::collect_parameters(const std::string& prefix, NamedTensors& out) const {
  for (const auto& [name, t] : params_) out.emplace_back(join_path(prefix, name), t);
  for (const auto& [name, child] : children_) child->collect_parameters(join_path(prefix, name), out);
}

NamedTensors Module::named_parameters() const {
  NamedTensors out;
  collect_parameters("", out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [_, t] : named_parameters()) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out{{"", this}};
  for (const auto& [name, child] : children_)
    for (auto& [path, m] : child->named_modules()) out.emplace_back(path.empty() ? name : name + "." + path, m);
  return out;
}

Tensor Module::parameter(const std::string& path) const {
  for (const auto& [name, t] : named_parameters())
    if (name == path) return t;
  REVGAN_FAIL("{}: no parameter '{}'", type_name(), path);
}

Module& Module::submodule(const std::string& path) {
  for (auto& [name, m] : named_modules())
    if (name == path) return *m;
  REVGAN_FAIL("{}: no submodule '{}'", type_name(), path);
}

int64_t Module::parameter_count() const {
  int64_t n = 0;
  for (const auto& [_, t] : named_parameters()) n += t.numel();
  return n;
}

void Module::zero_grad() {
  for (auto& t : parameters()) t.zero_grad();
}

void Module::to(Device device) {
  for (auto& t : parameters()) {
    move_in_place(t, device, MemoryCategory::parameters);
    move_in_place(t.grad(), device, MemoryCategory::gradients);
  }
  for (auto& [_, t] : named_buffers()) move_in_place(t, device, MemoryCategory::parameters);
}

void Module::train(bool on) {
  for (auto& [_, m] : named_modules()) m->training_ = on;
}

}  // namespace revgan::nn
