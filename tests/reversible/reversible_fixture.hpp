// Builds small reversible cores (RevGAN-style F and G) for the executor tests.
#pragma once

#include <memory>

#include "engine/nn/init.hpp"
#include "engine/nn/layers.hpp"
#include "engine/reversible/coupling_kind.hpp"
#include "engine/reversible/reversible_sequence.hpp"

namespace revgan::test {

// ReflectionPad 1 -> Conv 3x3 -> IN -> ReLU -> ReflectionPad 1 -> Conv 3x3 -> IN, `c` channels
// in, `out` out.
inline std::shared_ptr<nn::Module> coupling_branch(int64_t c, int64_t out, DType dtype) {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::ReflectionPad>(1), std::make_shared<nn::Conv>(2, c, c, 3, 1, 0, true, dtype),
      std::make_shared<nn::InstanceNorm>(), std::make_shared<nn::ReLU>(), std::make_shared<nn::ReflectionPad>(1),
      std::make_shared<nn::Conv>(2, c, out, 3, 1, 0, true, dtype), std::make_shared<nn::InstanceNorm>()});
}

// A core of `depth` blocks of `kind` on `channels` channels, weights N(0, std) from `seed`.
inline std::shared_ptr<reversible::ReversibleSequence> make_core(
    int64_t channels, int depth, DType dtype, uint64_t seed, double std = 0.02,
    reversible::CouplingKind kind = reversible::CouplingKind::additive) {
  std::vector<std::shared_ptr<reversible::Coupling>> blocks;
  const int64_t half = channels / 2, out = reversible::branch_output_channels(kind, half);
  for (int i = 0; i < depth; ++i)
    blocks.push_back(
        reversible::make_coupling(kind, coupling_branch(half, out, dtype), coupling_branch(half, out, dtype)));
  auto core = std::make_shared<reversible::ReversibleSequence>(blocks);
  Generator gen(seed);
  nn::init_normal(*core, gen, std);
  return core;
}

}  // namespace revgan::test
