// Thread-local grad mode.
#include "engine/autograd/grad_mode.hpp"

namespace revgan {

namespace {
thread_local bool tls_grad_enabled = true;
}

bool grad_enabled() { return tls_grad_enabled; }

NoGradScope::NoGradScope() : previous_(tls_grad_enabled) { tls_grad_enabled = false; }
NoGradScope::~NoGradScope() { tls_grad_enabled = previous_; }
EnableGradScope::EnableGradScope() : previous_(tls_grad_enabled) { tls_grad_enabled = true; }
EnableGradScope::~EnableGradScope() { tls_grad_enabled = previous_; }

bool any_requires_grad(std::initializer_list<const Tensor*> inputs) {
  if (!tls_grad_enabled) return false;
  for (const Tensor* t : inputs)
    if (t != nullptr && t->defined() && t->requires_grad()) return true;
  return false;
}

}  // namespace revgan
