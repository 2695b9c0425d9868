// Sequential container.
#include "engine/nn/sequential.hpp"

#include <string>

namespace revgan::nn {

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) {
  for (const auto& m : modules) append(m);
}

Sequential& Sequential::append(std::shared_ptr<Module> module) {
  return append(std::to_string(children().size()), std::move(module));
}

Sequential& Sequential::append(const std::string& name, std::shared_ptr<Module> module) {
  register_module(name, std::move(module));
  return *this;
}

Module& Sequential::at(int64_t i) const {
  REVGAN_CHECK(i >= 0 && i < size(), "Sequential: index {} out of range for {} modules", i, size());
  return *children()[static_cast<std::size_t>(i)].second;
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (const auto& [_, m] : children()) h = m->forward(h);
  return h;
}

}  // namespace revgan::nn
