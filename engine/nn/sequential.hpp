// Sequential: children applied in order. Unnamed children are called "0", "1", ... by
// position, matching PyTorch's nn.Sequential parameter paths.
#pragma once

#include <initializer_list>
#include <memory>

#include "engine/nn/module.hpp"

namespace revgan::nn {

class Sequential : public Module {
 public:
  Sequential() = default;
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules);
  std::string type_name() const override { return "Sequential"; }
  Tensor forward(const Tensor& x) override;

  // Named by position.
  Sequential& append(std::shared_ptr<Module> module);
  Sequential& append(const std::string& name, std::shared_ptr<Module> module);
  int64_t size() const { return static_cast<int64_t>(children().size()); }
  Module& at(int64_t i) const;
};

}  // namespace revgan::nn
