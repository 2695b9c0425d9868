// Parameter initialisation on the host, copied to wherever the parameter lives.
#include "engine/nn/init.hpp"

#include <vector>

#include "engine/ops/arithmetic.hpp"

namespace revgan::nn {

bool is_bias(const std::string& path) {
  const auto dot = path.rfind('.');
  return (dot == std::string::npos ? path : path.substr(dot + 1)) == "bias";
}

namespace {

void fill_normal(Tensor& t, Generator& gen, double std) {
  Tensor host = t.device().is_cpu() ? t : Tensor::empty(t.shape(), t.dtype(), Device::cpu());
  dispatch_floating(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = host.data<T>();
    for (int64_t i = 0; i < host.numel(); ++i) p[i] = static_cast<T>(std * gen.normal());
  });
  if (!host.same(t)) t.copy_from(host);
}

}  // namespace

void init_normal(Module& module, Generator& gen, double std) {
  REVGAN_CHECK(std >= 0, "init_normal: std must be non-negative, got {}", std);
  for (auto& [path, t] : module.named_parameters()) {
    if (is_bias(path))
      ops::fill_(t, 0.0);
    else
      fill_normal(t, gen, std);
  }
}

void init_zeros(Module& module) {
  for (auto& t : module.parameters()) ops::fill_(t, 0.0);
}

}  // namespace revgan::nn
