// The history of generated images the discriminators train on (Shrivastava et al.): keeps up
// to pool_size past fakes so D does not only see the generator's latest output.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/tensor/random.hpp"
#include "engine/tensor/tensor.hpp"

namespace revgan::training {

class ImagePool {
 public:
  ImagePool(int64_t pool_size, uint64_t seed);

  // Per image of the batch [N, ...]: while the pool is not full, store it and return it; once
  // full, with probability 1/2 return a uniformly chosen stored image and store the new one in
  // its place, else return the new one. pool_size 0 returns `images` itself. Works on detached
  // copies; the result has no autograd history. Stored images may differ in spatial size (the
  // discriminators are fully convolutional), not in channels or dtype.
  Tensor query(const Tensor& images);

  int64_t pool_size() const { return pool_size_; }
  const std::vector<Tensor>& images() const { return images_; }  // each [1, ...]
  Generator::State rng_state() const { return gen_.state(); }
  // Restores contents and RNG (checkpoints); `images` must hold at most pool_size tensors.
  void restore(std::vector<Tensor> images, const Generator::State& rng);

 private:
  int64_t pool_size_;
  Generator gen_;
  std::vector<Tensor> images_;
};

// Text form of a Generator state for checkpoint attributes (exact round trip).
std::string generator_state_to_string(const Generator::State& state);
Generator::State generator_state_from_string(const std::string& text);

}  // namespace revgan::training
