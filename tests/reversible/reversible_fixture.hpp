// Builds small reversible cores (RevGAN-style F and G) for the executor tests.
#pragma once

#include <memory>

#include "engine/nn/init.hpp"
#include "engine/reversible/additive_coupling.hpp"
#include "engine/nn/layers.hpp"
#include "engine/reversible/reversible_sequence.hpp"

namespace revgan::test {

// ReflectionPad 1 -> Conv 3x3 -> IN -> ReLU -> ReflectionPad 1 -> Conv 3x3 -> IN on `c` channels.
inline std::shared_ptr<nn::Module> coupling_branch(int64_t c, DType dtype) {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::ReflectionPad>(1), std::make_shared<nn::Conv>(2, c, c, 3, 1, 0, true, dtype),
      std::make_shared<nn::InstanceNorm>(), std::make_shared<nn::ReLU>(), std::make_shared<nn::ReflectionPad>(1),
      std::make_shared<nn::Conv>(2, c, c, 3, 1, 0, true, dtype), std::make_shared<nn::InstanceNorm>()});
}

// A core of `depth` blocks on `channels` channels, weights N(0, std) from `seed`.
inline std::shared_ptr<reversible::ReversibleSequence> make_core(int64_t channels, int depth, DType dtype,
                                                                 uint64_t seed, double std = 0.02) {
  std::vector<std::shared_ptr<reversible::Coupling>> blocks;
  for (int i = 0; i < depth; ++i)
    blocks.push_back(std::make_shared<reversible::AdditiveCoupling>(coupling_branch(channels / 2, dtype),
                                                                     coupling_branch(channels / 2, dtype)));
  auto core = std::make_shared<reversible::ReversibleSequence>(blocks);
  Generator gen(seed);
  nn::init_normal(*core, gen, std);
  return core;
}

}  // namespace revgan::test
