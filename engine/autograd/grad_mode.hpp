// Global (thread-local) switch for graph recording, and the NoGrad scope guard.
#pragma once

#include <initializer_list>

#include "engine/tensor/tensor.hpp"

namespace revgan {

bool grad_enabled();

class NoGradScope {
 public:
  NoGradScope();
  ~NoGradScope();
  NoGradScope(const NoGradScope&) = delete;
  NoGradScope& operator=(const NoGradScope&) = delete;

 private:
  bool previous_;
};

class EnableGradScope {
 public:
  EnableGradScope();
  ~EnableGradScope();
  EnableGradScope(const EnableGradScope&) = delete;
  EnableGradScope& operator=(const EnableGradScope&) = delete;

 private:
  bool previous_;
};

// True when recording is on and any of the inputs requires grad.
bool any_requires_grad(std::initializer_list<const Tensor*> inputs);

}  // namespace revgan
