// Saving by recipe: a conv after instance norm -> ReLU -> reflection pad keeps the instance
// norm's output instead of the padded activation, rebuilds it exactly in the backward, and a
// recipe never keeps its source alive on its own.
#include <catch2/catch.hpp>

#include "engine/autograd/grad_mode.hpp"
#include "engine/autograd/node.hpp"
#include "engine/ops/activation.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/conv.hpp"
#include "engine/ops/instance_norm.hpp"
#include "engine/ops/pad.hpp"
#include "engine/ops/reduce.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using test::random_normal;

namespace {

struct ChainGrads {
  std::vector<double> dx, dw;
};

// sum(conv(pad(relu(instance_norm(x))))^2); `break_recipe` routes the padded activation
// through a product with 1, which carries no recipe, so the conv saves the padded tensor.
ChainGrads run_chain(const Tensor& x0, const Tensor& w0, bool break_recipe, std::vector<Tensor>* conv_saved) {
  Tensor x = x0.clone().set_requires_grad(true);
  Tensor w = w0.clone().set_requires_grad(true);
  Tensor p = ops::reflection_pad(ops::relu(ops::instance_norm(ops::scale(x, 1.0))), 1);
  if (break_recipe) p = ops::scale(p, 1.0);
  Tensor y = ops::conv(p, w, Tensor());
  if (conv_saved != nullptr) *conv_saved = y.grad_fn()->saved_tensors();
  ops::sum(ops::mul(y, y)).backward();
  return {x.grad().to_vector(), w.grad().to_vector()};
}

}  // namespace

TEST_CASE("a conv after norm, ReLU and padding saves the norm output and rebuilds the rest", "[autograd]") {
  auto dtype = GENERATE(DType::float32, DType::float64);
  const Tensor x = random_normal({2, 3, 6, 5}, 11, dtype);
  const Tensor w = random_normal({4, 3, 3, 3}, 12, dtype);

  std::vector<Tensor> saved;
  const ChainGrads by_recipe = run_chain(x, w, false, &saved);
  // Held: the unpadded 6x5 norm output (the source) and the weight, not the 8x7 padded copy.
  REQUIRE(saved.size() == 2);
  CHECK(saved[0].shape() == Shape{2, 3, 6, 5});
  CHECK(saved[1].shape() == w.shape());

  const ChainGrads plain = run_chain(x, w, true, &saved);
  CHECK(saved[0].shape() == Shape{2, 3, 8, 7});
  // The rebuilt tensor is the original bit for bit, so the gradients are identical.
  CHECK(by_recipe.dx == plain.dx);
  CHECK(by_recipe.dw == plain.dw);
}

TEST_CASE("ReLU keeps its input, which the instance norm before it already keeps", "[autograd]") {
  Tensor x = random_normal({1, 2, 4, 4}, 5, DType::float64).set_requires_grad(true);
  Tensor n = ops::instance_norm(ops::scale(x, 2.0));
  Tensor r = ops::relu(n);
  const auto norm_saved = n.grad_fn()->saved_tensors();
  const auto relu_saved = r.grad_fn()->saved_tensors();
  REQUIRE(relu_saved.size() == 1);
  CHECK(relu_saved[0].shares_storage_with(norm_saved[0]));
}

TEST_CASE("a recipe does not keep its source alive, and a dead source means saving the tensor itself",
          "[autograd]") {
  Tensor leaf = random_normal({1, 2, 5, 5}, 21, DType::float64).set_requires_grad(true);
  Tensor w = random_normal({2, 2, 3, 3}, 22, DType::float64).set_requires_grad(true);
  Tensor x = ops::scale(leaf, 1.0);
  Tensor p = ops::reflection_pad(x, 1);
  x = Tensor();  // p's recipe refers to x weakly: x's storage is gone now
  Tensor y = ops::conv(p, w, Tensor());
  const auto saved = y.grad_fn()->saved_tensors();
  REQUIRE(saved.size() == 2);
  CHECK(saved[0].shares_storage_with(p));
  ops::sum(y).backward();
  CHECK(leaf.grad().defined());
}

TEST_CASE("no recipe is recorded without gradient recording", "[autograd]") {
  Tensor x = random_normal({1, 1, 3, 3}, 31, DType::float64);
  NoGradScope no_grad;
  Tensor r = ops::relu(x);
  Tensor p = ops::reflection_pad(r, 1);
  CHECK(r.impl()->recompute == nullptr);
  CHECK(p.impl()->recompute == nullptr);
}
