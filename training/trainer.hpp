// One RevGAN / CycleGAN / pix2pix training step (generator update, then discriminator update)
// and the full training state (networks, optimizers, pools, counters) as one checkpoint.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "data/dataset.hpp"
#include "engine/core/adaptive_threads.hpp"
#include "engine/distributed/data_parallel.hpp"
#include "engine/optim/adam.hpp"
#include "models/generator_pair.hpp"
#include "models/patchgan.hpp"
#include "training/gan_loss.hpp"
#include "training/image_pool.hpp"
#include "training/options.hpp"
#include "training/step_losses.hpp"

namespace revgan::training {

// Where a run stands; saved with every checkpoint.
struct TrainProgress {
  int64_t epoch = 1;        // epoch in progress, or the next one when epoch_iter == 0
  int64_t epoch_iter = 0;   // batches of `epoch` already trained
  int64_t total_iters = 0;  // training steps since the run began
};

class Trainer {
 public:
  // Resolves the options, builds generators (G), discriminators (D_A judges domain B, i.e.
  // G_A = g_xy's outputs; D_B judges domain A; pix2pix has only D_A), Adam(lr, (beta1, 0.999))
  // for G and for the D's, and the image pools (unpaired models). Moves everything to device.
  explicit Trainer(const ResolvedOptions& options);

  // real_A: the input domain batch, real_B: the target / other domain batch (both [N, C, H, W]
  // or [N, C, D, H, W]; paired models need the same spatial size). Throws, naming the step
  // number, the phase and the loss, when a loss is not finite; that phase's update is skipped
  // (a non-finite generator loss leaves every parameter untouched).
  StepLosses train_step(const Tensor& real_A, const Tensor& real_B);
  StepLosses train_step(const data::Batch& batch) { return train_step(batch.A, batch.B); }

  // The names train_step returns, in order.
  std::vector<std::string> loss_names() const;
  // The images of the last step (detached): real_A, fake_B, rec_A, idt_B, real_B, fake_A, rec_B, idt_A.
  const Visuals& visuals() const { return visuals_; }

  // Data-parallel training over `comm` (which must outlive the trainer): before every optimizer
  // step the gradients are averaged over the group (engine/distributed/data_parallel.hpp), the
  // returned losses are the group's means, and each rank's image pools draw from their own
  // seeds. Checkpoints (save) gather every rank's pools to rank 0, which alone writes the file.
  // Call before the first step; a single process needs no call.
  void set_communicator(distributed::Communicator& comm);
  // Every rank takes rank 0's weights (at start and after a resume).
  void broadcast_parameters();
  const distributed::ReduceStats& reduce_stats() const { return reduce_stats_; }

  // Called in every step with the generator loss once it is built, before its backward: the
  // bench counts there what the graph keeps for the backward. {} removes it.
  void set_generator_loss_probe(std::function<void(const Tensor& loss)> probe) { probe_ = std::move(probe); }

  void set_learning_rate(double lr);
  double learning_rate() const { return optimizer_g_->lr(); }
  int64_t steps() const { return steps_; }  // train_step calls that completed
  // With --cpu_threads adaptive, the object that sets the team size before each step; else null.
  const AdaptiveThreads* adaptive_threads() const { return cpu_threads_.get(); }
  uint64_t data_seed() const { return data_seed_; }  // seed of the data streams (restored by load)

  // Atomic, complete state: parts G, D_A, D_B; optimizers G and D; pools as tensors
  // fake_B_pool.<i> / fake_A_pool.<i> with their RNG states; progress, LR and the resolved
  // options (JSON, so inference needs only this file).
  void save(const std::string& path, const TrainProgress& progress) const;
  // Restores everything save wrote; the networks must match these options. Returns the progress.
  TrainProgress load(const std::string& path);

  const TrainOptions& options() const { return options_.get(); }
  const ResolvedOptions& resolved_options() const { return options_; }
  models::GeneratorPair& generators() { return *generators_; }
  models::PatchGan& discriminator_a() { return *d_a_; }
  models::PatchGan* discriminator_b() { return d_b_.get(); }  // nullptr for pix2pix
  optim::Adam& optimizer_g() { return *optimizer_g_; }
  optim::Adam& optimizer_d() { return *optimizer_d_; }

 private:
  // lambda_GAN > 0: the GAN terms are built and the discriminators trained.
  bool adversarial() const { return options_->lambda_GAN > 0; }
  StepLosses step_unpaired(const Tensor& real_A, const Tensor& real_B);
  StepLosses step_paired(const Tensor& real_A, const Tensor& real_B);
  // Throws unless every value of `losses` is finite; `phase` is "generator" or "discriminator".
  void check_finite(const StepLosses& losses, const char* phase) const;
  // A part of the generator update that shares only parameters with the others: its loss terms
  // (back-propagated as their sum) and their values under their names.
  struct GeneratorBranch {
    std::vector<Tensor> terms;
    StepLosses losses;
    void add(const char* name, const Tensor& loss) {
      losses.set(name, loss.item());
      terms.push_back(loss);
    }
  };
  struct DiscriminatorLoss {
    const char* name;
    std::function<Tensor()> build;
  };
  void backward_generator_loss(std::vector<GeneratorBranch>& branches, StepLosses& losses);
  void backward_discriminator_losses(const std::vector<DiscriminatorLoss>& d_losses, StepLosses& losses) const;
  bool branches_may_overlap() const;
  // Averages `optimizer`'s gradients over the group (no-op on one process), then steps it.
  void synchronised_step(optim::Adam& optimizer);
  void make_pools(uint64_t rank);
  std::vector<char> serialise_pools() const;
  void deserialise_pools(const std::vector<char>& bytes, ImagePool& fake_B, ImagePool& fake_A,
                         const std::string& path) const;

  ResolvedOptions options_;
  bool paired_ = false;
  bool two_way_ = true;
  Device device_;
  GanLoss gan_loss_;
  std::shared_ptr<models::GeneratorPair> generators_;
  std::shared_ptr<models::PatchGan> d_a_, d_b_;
  std::unique_ptr<optim::Adam> optimizer_g_, optimizer_d_;
  std::unique_ptr<ImagePool> pool_fake_B_, pool_fake_A_;
  int64_t steps_ = 0;
  std::unique_ptr<AdaptiveThreads> cpu_threads_;  // with --cpu_threads adaptive
  uint64_t data_seed_ = 0;
  Visuals visuals_;
  std::function<void(const Tensor&)> probe_;
  distributed::Communicator* comm_ = nullptr;
  distributed::ReduceStats reduce_stats_;
};

}  // namespace revgan::training
