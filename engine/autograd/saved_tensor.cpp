// SavedTensor: saving by recipe and rebuilding in the backward.
#include "engine/autograd/saved_tensor.hpp"

#include "engine/autograd/grad_mode.hpp"

namespace revgan {

Tensor Recompute::source() const {
  std::shared_ptr<Storage> storage = source_storage.lock();
  if (!storage) return Tensor();
  Tensor source = source_layout.detach();
  source.impl()->storage = std::move(storage);
  return source;
}

void set_recompute(Tensor& output, const Tensor& source, std::function<Tensor(const Tensor&)> rebuild) {
  if (!grad_enabled()) return;
  auto recipe = std::make_shared<Recompute>();
  const auto& inner = source.impl()->recompute;
  Tensor root = inner ? inner->source() : Tensor();
  if (root.defined()) {
    // Fold: rebuild the source from its own source first.
    recipe->rebuild = [outer = std::move(rebuild), first = inner->rebuild](const Tensor& s) { return outer(first(s)); };
  } else {
    root = source;
    recipe->rebuild = std::move(rebuild);
  }
  recipe->source_layout = root.detach();
  recipe->source_layout.impl()->storage.reset();
  recipe->source_storage = root.storage();
  output.impl()->recompute = std::move(recipe);
}

SavedTensor SavedTensor::pack(const Tensor& t) {
  SavedTensor saved;
  if (!t.defined()) return saved;
  const auto& recipe = t.impl()->recompute;
  Tensor source = recipe ? recipe->source() : Tensor();
  if (source.defined()) {
    saved.tensor_ = std::move(source);
    saved.rebuild_ = recipe->rebuild;
  } else {
    // Detached: holding an output with its history would make output -> node -> output a cycle.
    saved.tensor_ = t.detach();
  }
  return saved;
}

Tensor SavedTensor::unpack() const {
  if (!rebuild_) return tensor_;
  NoGradScope no_grad;
  return rebuild_(tensor_);
}

std::vector<Tensor> SavedTensor::held() const {
  return tensor_.defined() ? std::vector<Tensor>{tensor_} : std::vector<Tensor>{};
}

void SavedTensor::reset() {
  tensor_ = Tensor();
  rebuild_ = nullptr;
}

}  // namespace revgan
