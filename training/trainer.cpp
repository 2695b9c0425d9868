// The training step of every model: the recipe of the RevGAN paper's released code
// (pytorch-CycleGAN-and-pix2pix framework) with the generator step before the discriminator step.
#include "training/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "data/seed.hpp"
#include "engine/autograd/concurrent_branches.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "engine/io/checkpoint.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/channels.hpp"
#include "engine/ops/loss.hpp"
#include "models/pytorch_init.hpp"
#include "training/model_factory.hpp"
#include "training/seeds.hpp"

namespace revgan::training {

namespace {

std::string format_loss_list(const StepLosses& losses) {
  std::string s;
  for (const auto& [name, v] : losses.values) s += fmt::format("{}{} = {}", s.empty() ? "" : ", ", name, v);
  return s;
}

Tensor sum(const std::vector<Tensor>& terms) {
  Tensor total = terms.front();
  for (std::size_t i = 1; i < terms.size(); ++i) total = ops::add(total, terms[i]);
  return total;
}

optim::Adam::NamedParameters prefixed(const std::string& prefix, const nn::Module& m) {
  optim::Adam::NamedParameters out;
  for (auto& [name, t] : m.named_parameters()) out.emplace_back(prefix + "." + name, t);
  return out;
}

// D parameters stop requiring grad for the generator update, and come back even when the
// update throws (a non-finite loss), so a caught error leaves a trainable model.
class FrozenDiscriminators {
 public:
  FrozenDiscriminators(models::PatchGan* a, models::PatchGan* b) : nets_{a, b} { set(false); }
  ~FrozenDiscriminators() { set(true); }
  FrozenDiscriminators(const FrozenDiscriminators&) = delete;
  FrozenDiscriminators& operator=(const FrozenDiscriminators&) = delete;

 private:
  void set(bool on) {
    for (models::PatchGan* net : nets_)
      if (net != nullptr)
        for (Tensor& p : net->parameters()) p.set_requires_grad(on);
  }
  models::PatchGan* nets_[2];
};

void check_batch(const char* which, const Tensor& t, int64_t channels, int dims) {
  REVGAN_CHECK(t.defined(), "train_step: batch {} is missing (an unpaired/aligned dataset must provide A and B)",
               which);
  REVGAN_CHECK(t.dim() == dims + 2 && t.size(1) == channels,
               "train_step: batch {} must be [N, {}, {}], got {}", which, channels,
               dims == 2 ? "H, W" : "D, H, W", t.describe());
}

}  // namespace

Trainer::Trainer(const ResolvedOptions& options)
    : options_(options), device_(parse_device(options_->device)), gan_loss_(parse_gan_mode(options_->gan_mode)) {
  const ModelTraits traits = model_traits(options_->model);
  paired_ = traits.paired;
  two_way_ = traits.two_way;
  data_seed_ = options_->seed;
  generators_ = build_generators(options_);
  if (!options_->init_from.empty()) models::init_generators_from_pth(*generators_, options_->init_from);
  d_a_ = build_discriminator(options_, true);
  if (two_way_) d_b_ = build_discriminator(options_, false);
  generators_->to(device_);
  d_a_->to(device_);
  if (d_b_) d_b_->to(device_);

  const optim::AdamOptions adam{options_->lr, options_->beta1, 0.999, 1e-8};
  optimizer_g_ = std::make_unique<optim::Adam>(generators_->named_parameters(), adam);
  optim::Adam::NamedParameters d_params = prefixed("D_A", *d_a_);
  if (d_b_) {
    auto more = prefixed("D_B", *d_b_);
    d_params.insert(d_params.end(), more.begin(), more.end());
  }
  optimizer_d_ = std::make_unique<optim::Adam>(std::move(d_params), adam);
  make_pools(0);
  if (options_->cpu_threads == "adaptive") cpu_threads_ = std::make_unique<AdaptiveThreads>();
}

void Trainer::make_pools(uint64_t rank) {
  if (paired_) return;
  // Rank 0's seeds are those of a single process; the others' are derived from them.
  auto seed = [&](SeedStream stream) {
    const uint64_t base = network_seed(options_->seed, stream);
    return rank == 0 ? base : data::derive_seed(base, 0x72616e6bull /* "rank" */, rank);
  };
  pool_fake_B_ = std::make_unique<ImagePool>(options_->pool_size, seed(SeedStream::pool_b));
  pool_fake_A_ = std::make_unique<ImagePool>(options_->pool_size, seed(SeedStream::pool_a));
}

void Trainer::set_communicator(distributed::Communicator& comm) {
  REVGAN_CHECK(steps_ == 0, "Trainer::set_communicator: call it before the first step ({} done)", steps_);
  comm_ = &comm;
  make_pools(static_cast<uint64_t>(comm.rank()));
}

void Trainer::broadcast_parameters() {
  if (comm_ == nullptr) return;
  std::vector<Tensor> params = generators_->parameters();
  for (models::PatchGan* d : {d_a_.get(), d_b_.get()})
    if (d != nullptr)
      for (const Tensor& p : d->parameters()) params.push_back(p);
  distributed::broadcast_parameters(*comm_, params);
}

void Trainer::synchronised_step(optim::Adam& optimizer) {
  if (comm_ != nullptr) {
    std::vector<Tensor> params;
    for (const auto& [_, p] : optimizer.named_parameters()) params.push_back(p);
    distributed::average_gradients(*comm_, params, &reduce_stats_);
  }
  optimizer.step();
}

std::vector<std::string> Trainer::loss_names() const {
  std::vector<std::string> names;
  if (paired_ && !two_way_) names = {"G_GAN_A", "G_L1_A", "G", "D_A"};
  else if (paired_) names = {"G_GAN_A", "G_L1_A", "G_GAN_B", "G_L1_B", "G", "D_A", "D_B"};
  else names = {"G_GAN_A", "cycle_A", "idt_A", "G_GAN_B", "cycle_B", "idt_B", "G", "D_A", "D_B"};
  if (!adversarial()) {  // neither the GAN terms nor the discriminators' losses are computed
    std::erase_if(names, [](const std::string& n) { return n.starts_with("G_GAN") || n.starts_with("D_"); });
  }
  return names;
}

void Trainer::set_learning_rate(double lr) {
  optimizer_g_->set_lr(lr);
  optimizer_d_->set_lr(lr);
}

void Trainer::check_finite(const StepLosses& losses, const char* phase) const {
  for (const auto& [name, v] : losses.values)
    REVGAN_CHECK(std::isfinite(v), "training step {} ({} update): loss {} is {} ({}); stopping before the update",
                 steps_ + 1, phase, name, v, format_loss_list(losses));
}

StepLosses Trainer::train_step(const Tensor& a, const Tensor& b) {
  const int dims = model_traits(options_->model).dims;
  check_batch("A", a, options_->input_nc, dims);
  check_batch("B", b, options_->output_nc, dims);
  if (paired_)
    for (int i = 2; i < a.dim(); ++i)
      REVGAN_CHECK(a.size(i) == b.size(i) && a.size(0) == b.size(0),
                   "train_step: paired batches must have equal sizes, got A {} and B {}", a.describe(), b.describe());
  if (cpu_threads_) cpu_threads_->update();
  EnableGradScope grad_on;
  generators_->train();
  generators_->reset_memory_budget();
  StepLosses losses = paired_ ? step_paired(a.to(device_), b.to(device_)) : step_unpaired(a.to(device_), b.to(device_));
  ++steps_;
  if (comm_ != nullptr && comm_->size() > 1) {
    // The log shows the group's mean of each loss, what one process with the whole batch reports.
    std::vector<double> values;
    for (const auto& [_, v] : losses.values) values.push_back(v);
    comm_->all_reduce_sum(values);
    for (std::size_t i = 0; i < values.size(); ++i) losses.values[i].second = values[i] / comm_->size();
  }
  return losses;
}

// The generator update's loss G is the sum of its branches' terms: recorded as "G", checked (with
// the terms) before anything is updated, shown to the probe, and then each branch back-propagates
// the sum of its own terms (engine/autograd/concurrent_branches.hpp): the branches' graphs share
// only parameters, whose gradients are summed in branch order. Then the generators' optimizer steps.
void Trainer::backward_generator_loss(std::vector<GeneratorBranch>& branches, StepLosses& losses) {
  std::vector<Tensor> terms;
  for (const GeneratorBranch& b : branches) {
    for (const auto& [name, v] : b.losses.values) losses.set(name, v);
    terms.insert(terms.end(), b.terms.begin(), b.terms.end());
  }
  const Tensor loss_G = sum(terms);
  losses.set("G", loss_G.item());
  check_finite(losses, "generator");
  if (probe_) probe_(loss_G);
  std::vector<std::function<void()>> backwards;
  for (const GeneratorBranch& b : branches) backwards.emplace_back([&b] { sum(b.terms).backward(); });
  run_branches(backwards, branches_may_overlap());
  synchronised_step(*optimizer_g_);
}

// Each discriminator's loss is a branch: built, recorded, checked and back-propagated on its own
// (one after the other, only one D graph is alive at a time; at once, one per thread). The D's
// parameters are disjoint, so their gradients are those of the summed loss. A non-finite loss
// throws before the optimizer step (the update is skipped, no gradient reaches a parameter).
void Trainer::backward_discriminator_losses(const std::vector<DiscriminatorLoss>& d_losses, StepLosses& losses) const {
  std::vector<double> values(d_losses.size());
  std::vector<std::function<void()>> branches;
  for (std::size_t i = 0; i < d_losses.size(); ++i) {
    branches.emplace_back([&, i] {
      const Tensor loss = d_losses[i].build();
      values[i] = loss.item();
      StepLosses one;
      one.set(d_losses[i].name, values[i]);
      check_finite(one, "discriminator");
      loss.backward();
    });
  }
  run_branches(branches, branches_may_overlap());
  for (std::size_t i = 0; i < d_losses.size(); ++i) losses.set(d_losses[i].name, values[i]);
}

// Branches overlap on the CPU only: device work stays on one thread.
bool Trainer::branches_may_overlap() const { return device_.is_cpu(); }

StepLosses Trainer::step_unpaired(const Tensor& real_A, const Tensor& real_B) {
  const TrainOptions& o = options_.get();
  StepLosses losses;
  models::GeneratorPair& G = *generators_;

  // Generator update. D's parameters stop requiring grad, so the D's evaluations here neither
  // compute nor leave weight gradients behind for the D update.
  std::optional<FrozenDiscriminators> frozen(std::in_place, d_a_.get(), d_b_.get());
  optimizer_g_->zero_grad();
  // The two cycles, each with its GAN and identity terms, are the branches: A -> B -> A with D_A
  // and G_A's identity on B, B -> A -> B with D_B and G_B's identity on A.
  Tensor fake_B, rec_A, idt_A, fake_A, rec_B, idt_B;
  std::vector<GeneratorBranch> branches(2);
  auto cycle_A = [&] {
    GeneratorBranch& b = branches[0];
    fake_B = G.g_xy(real_A);
    rec_A = G.g_yx(fake_B);
    if (adversarial()) b.add("G_GAN_A", ops::scale(gan_loss_((*d_a_)(fake_B), true), o.lambda_GAN));
    b.add("cycle_A", ops::scale(ops::l1_loss(rec_A, real_A), o.lambda_A));
    if (o.lambda_identity > 0) {
      idt_A = G.g_xy(real_B);  // G_A should leave an image of its target domain unchanged
      b.add("idt_A", ops::scale(ops::l1_loss(idt_A, real_B), o.lambda_B * o.lambda_identity));
    } else {
      b.losses.set("idt_A", 0.0);
    }
  };
  auto cycle_B = [&] {
    GeneratorBranch& b = branches[1];
    fake_A = G.g_yx(real_B);
    rec_B = G.g_xy(fake_A);
    if (adversarial()) b.add("G_GAN_B", ops::scale(gan_loss_((*d_b_)(fake_A), true), o.lambda_GAN));
    b.add("cycle_B", ops::scale(ops::l1_loss(rec_B, real_B), o.lambda_B));
    if (o.lambda_identity > 0) {
      idt_B = G.g_yx(real_A);
      b.add("idt_B", ops::scale(ops::l1_loss(idt_B, real_A), o.lambda_A * o.lambda_identity));
    } else {
      b.losses.set("idt_B", 0.0);
    }
  };
  run_branches({cycle_A, cycle_B}, branches_may_overlap());
  backward_generator_loss(branches, losses);
  frozen.reset();

  visuals_ = {{"real_A", real_A.detach()}, {"fake_B", fake_B.detach()}, {"rec_A", rec_A.detach()}};
  if (idt_B.defined()) visuals_.emplace_back("idt_B", idt_B.detach());
  visuals_.insert(visuals_.end(), {{"real_B", real_B.detach()}, {"fake_A", fake_A.detach()}, {"rec_B", rec_B.detach()}});
  if (idt_A.defined()) visuals_.emplace_back("idt_A", idt_A.detach());
  if (!adversarial()) return losses;

  // Discriminator update on pooled, detached fakes: D loss = 0.5 (real + fake).
  optimizer_d_->zero_grad();
  const Tensor pooled_B = pool_fake_B_->query(fake_B.detach());
  const Tensor pooled_A = pool_fake_A_->query(fake_A.detach());
  backward_discriminator_losses(
      {{"D_A",
        [&] {
          return ops::scale(ops::add(gan_loss_((*d_a_)(real_B), true), gan_loss_((*d_a_)(pooled_B), false)), 0.5);
        }},
       {"D_B",
        [&] {
          return ops::scale(ops::add(gan_loss_((*d_b_)(real_A), true), gan_loss_((*d_b_)(pooled_A), false)), 0.5);
        }}},
      losses);
  synchronised_step(*optimizer_d_);
  return losses;
}

StepLosses Trainer::step_paired(const Tensor& real_A, const Tensor& real_B) {
  const TrainOptions& o = options_.get();
  StepLosses losses;
  models::GeneratorPair& G = *generators_;

  // Generator update: conditional GAN + L1 to the target, in each trained direction.
  std::optional<FrozenDiscriminators> frozen(std::in_place, d_a_.get(), d_b_.get());
  optimizer_g_->zero_grad();
  // Each trained direction is a branch (engine/autograd/concurrent_branches.hpp).
  Tensor fake_B, fake_A;
  std::vector<GeneratorBranch> branches(two_way_ ? 2 : 1);
  std::vector<std::function<void()>> directions{[&] {
    GeneratorBranch& g = branches[0];
    fake_B = G.g_xy(real_A);
    if (adversarial())
      g.add("G_GAN_A", ops::scale(gan_loss_((*d_a_)(ops::concat_channels({real_A, fake_B})), true), o.lambda_GAN));
    g.add("G_L1_A", ops::scale(ops::l1_loss(fake_B, real_B), o.lambda_L1));
  }};
  if (two_way_) {
    directions.emplace_back([&] {
      GeneratorBranch& g = branches[1];
      fake_A = G.g_yx(real_B);
      if (adversarial())
        g.add("G_GAN_B", ops::scale(gan_loss_((*d_b_)(ops::concat_channels({real_B, fake_A})), true), o.lambda_GAN));
      g.add("G_L1_B", ops::scale(ops::l1_loss(fake_A, real_A), o.lambda_L1));
    });
  }
  run_branches(directions, branches_may_overlap());
  backward_generator_loss(branches, losses);
  frozen.reset();

  visuals_ = {{"real_A", real_A.detach()}, {"fake_B", fake_B.detach()}, {"real_B", real_B.detach()}};
  if (fake_A.defined()) visuals_.emplace_back("fake_A", fake_A.detach());
  if (!adversarial()) return losses;

  // Discriminator update on the fakes of this step (no pool).
  optimizer_d_->zero_grad();
  auto conditional_d_loss = [&](models::PatchGan& d, const Tensor& condition, const Tensor& real, const Tensor& fake) {
    const Tensor on_fake = gan_loss_(d(ops::concat_channels({condition, fake.detach()})), false);
    const Tensor on_real = gan_loss_(d(ops::concat_channels({condition, real})), true);
    return ops::scale(ops::add(on_fake, on_real), 0.5);
  };
  std::vector<DiscriminatorLoss> d_losses{{"D_A", [&] { return conditional_d_loss(*d_a_, real_A, real_B, fake_B); }}};
  if (two_way_) d_losses.push_back({"D_B", [&] { return conditional_d_loss(*d_b_, real_B, real_A, fake_A); }});
  backward_discriminator_losses(d_losses, losses);
  synchronised_step(*optimizer_d_);
  return losses;
}

}  // namespace revgan::training
