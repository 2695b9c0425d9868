// One training step of each model family, built only from the models, the losses and Adam
// (no dependency on a trainer): generator update with every loss of the recipe, then the
// discriminator update. The graph's saved bytes are recorded at the end of the G forward.
#pragma once

#include <memory>
#include <vector>

#include "bench/saved_bytes.hpp"
#include "bench/train_config.hpp"
#include "engine/optim/adam.hpp"
#include "engine/tensor/random.hpp"
#include "models/generator_pair.hpp"
#include "models/patchgan.hpp"

namespace revgan::bench {

// CycleGAN's history of generated images: until full, store and return the new fake; then
// with probability 1/2 swap it for a stored one. Size 0 returns the new fake.
class ImagePool {
 public:
  ImagePool(int size, uint64_t seed) : size_(size), gen_(seed) {}
  Tensor query(const Tensor& fake);

 private:
  int size_;
  Generator gen_;
  std::vector<Tensor> images_;
};

class TrainSession {
 public:
  explicit TrainSession(const TrainConfig& config);

  // Generator step then discriminator step, on the session's fixed random batch (values do
  // not change the cost of a step).
  void step();

  const TrainConfig& config() const { return config_; }
  // At the end of the last step's generator forward (loss built, backward not yet run).
  const SavedBytes& generator_saved() const { return g_saved_; }
  int64_t generator_parameters() const { return g_->parameter_count(); }
  int64_t discriminator_parameters() const;
  int64_t parameter_bytes() const;

 private:
  bool two_way() const;  // pix2pix trains X -> Y only
  void unpaired_step();
  void paired_step();
  Tensor discriminate(models::PatchGan& d, const Tensor& condition, const Tensor& image);
  Tensor gan_loss(const Tensor& prediction, bool real);

  TrainConfig config_;
  std::shared_ptr<models::GeneratorPair> g_;
  std::shared_ptr<models::PatchGan> d_x_, d_y_;  // judge domain X and domain Y images (pix2pix: d_y_ only)
  std::unique_ptr<optim::Adam> opt_g_, opt_d_;
  Tensor real_x_, real_y_;
  ImagePool pool_x_, pool_y_;
  SavedBytes g_saved_;
};

}  // namespace revgan::bench
