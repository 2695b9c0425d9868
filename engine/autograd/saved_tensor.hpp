// Tensors an op keeps for its backward. Outputs of cheap, deterministic ops (ReLU,
// LeakyReLU, padding) carry a recipe: a weak reference to their input and a function that
// rebuilds them from it (chains such as pad(relu(x)) are folded into one recipe on x).
// Saving such a tensor while its recipe's input is still alive keeps that input instead, and
// unpack() rebuilds the tensor when the backward runs: a conv after instance norm -> ReLU ->
// reflection pad keeps nothing beyond the normalised output the instance norm keeps anyway.
// The reference is weak, so a recipe never extends a tensor's life. Sources are never written
// in place (the engine has no in-place ops on activations), so a rebuilt tensor equals the
// original bit for bit.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan {

struct Recompute {
  Tensor source_layout;                 // the source's shape, dtype and offset; storage left empty
  std::weak_ptr<Storage> source_storage;
  std::function<Tensor(const Tensor&)> rebuild;  // the op's forward, run without recording

  // The source if its storage is still alive, else undefined.
  Tensor source() const;
};

// Attaches a recipe to `output` while gradients are being recorded (a no-op otherwise).
void set_recompute(Tensor& output, const Tensor& source, std::function<Tensor(const Tensor&)> rebuild);

class SavedTensor {
 public:
  SavedTensor() = default;
  // Undefined in, undefined out.
  static SavedTensor pack(const Tensor& t);

  bool defined() const { return tensor_.defined(); }
  // The saved tensor, rebuilt from its source if it was saved by recipe.
  Tensor unpack() const;
  // The tensors this keeps alive (what the bench counts).
  std::vector<Tensor> held() const;
  void reset();

 private:
  Tensor tensor_;  // the tensor itself, or its recipe's source
  std::function<Tensor(const Tensor&)> rebuild_;  // empty unless saved by recipe
};

}  // namespace revgan
