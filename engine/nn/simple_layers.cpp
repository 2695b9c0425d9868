// Parameter-free layers: thin forwards to the ops, with the argument checks done once here.
#include "engine/nn/simple_layers.hpp"

#include "engine/ops/activation.hpp"
#include "engine/ops/instance_norm.hpp"
#include "engine/ops/pad.hpp"

namespace revgan::nn {

namespace {

void check_pads(const char* layer, const std::vector<int64_t>& before, const std::vector<int64_t>& after) {
  REVGAN_CHECK(!before.empty() && before.size() <= 3 && before.size() == after.size(),
               "{}: pad_before and pad_after need 1 to 3 values each, equally many (got {} and {})", layer,
               before.size(), after.size());
  for (std::size_t i = 0; i < before.size(); ++i)
    REVGAN_CHECK(before[i] >= 0 && after[i] >= 0, "{}: negative padding {} / {}", layer, before[i], after[i]);
}

}  // namespace

ReflectionPad::ReflectionPad(std::vector<int64_t> pad_before, std::vector<int64_t> pad_after)
    : before_(std::move(pad_before)), after_(std::move(pad_after)) {
  check_pads("ReflectionPad", before_, after_);
}

Tensor ReflectionPad::forward(const Tensor& x) { return ops::reflection_pad(x, before_, after_); }

ReplicationPad::ReplicationPad(std::vector<int64_t> pad_before, std::vector<int64_t> pad_after)
    : before_(std::move(pad_before)), after_(std::move(pad_after)) {
  check_pads("ReplicationPad", before_, after_);
}

Tensor ReplicationPad::forward(const Tensor& x) { return ops::replication_pad(x, before_, after_); }

Tensor InstanceNorm::forward(const Tensor& x) { return ops::instance_norm(x, eps_); }

Tensor ReLU::forward(const Tensor& x) { return ops::relu(x); }

LeakyReLU::LeakyReLU(double slope) : slope_(slope) {
  REVGAN_CHECK(slope > 0, "LeakyReLU: slope must be positive, got {}", slope);
}

Tensor LeakyReLU::forward(const Tensor& x) { return ops::leaky_relu(x, slope_); }

Tensor Tanh::forward(const Tensor& x) { return ops::tanh(x); }

Tensor Sigmoid::forward(const Tensor& x) { return ops::sigmoid(x); }

}  // namespace revgan::nn
