// The training steps. Unpaired (CycleGAN recipe): LSGAN + cycle L1 x10 both ways + identity
// L1 x(0.5 * 10). Paired: BCE GAN on conditional discriminators + L1 x100, both directions
// for paired RevGAN (and 3D), X -> Y only for pix2pix. Discriminators are frozen during the
// generator step, as in the reference code, so their weights collect no gradient there.
#include "bench/train_step.hpp"

#include "engine/ops/arithmetic.hpp"
#include "engine/ops/channels.hpp"
#include "engine/ops/loss.hpp"
#include "engine/tensor/factory.hpp"
#include "models/resnet_generator.hpp"
#include "models/revgan2d.hpp"
#include "models/revgan3d.hpp"

namespace revgan::bench {

namespace {

constexpr double lambda_cycle = 10.0;
constexpr double lambda_l1_paired = 100.0;

void set_requires_grad(nn::Module& m, bool on) {
  for (Tensor p : m.parameters()) p.set_requires_grad(on);
}

nn::NamedTensors prefixed(const std::vector<std::pair<std::string, nn::Module*>>& parts) {
  nn::NamedTensors out;
  for (const auto& [prefix, module] : parts)
    for (auto& [name, t] : module->named_parameters()) out.emplace_back(nn::join_path(prefix, name), t);
  return out;
}


Tensor uniform_batch(const Shape& shape, Generator& gen) {
  std::vector<double> v(static_cast<std::size_t>(shape.numel()));
  for (double& x : v) x = 2.0 * gen.uniform() - 1.0;
  return tensor_from_values(shape, v);
}

reversible::Mode executor(StepMode m) {
  return m == StepMode::memory_saving ? reversible::Mode::memory_saving : reversible::Mode::stored;
}

std::shared_ptr<models::GeneratorPair> make_generators(const TrainConfig& c) {
  const int64_t nc = image_channels(c);
  switch (c.model) {
    case ModelKind::revgan_unpaired:
    case ModelKind::revgan_paired: {
      models::RevGan2dOptions o;
      o.input_nc = o.output_nc = nc;
      o.ngf = c.ngf;
      o.depth = c.depth;
      o.mode = executor(c.mode);
      o.seed = c.seed;
      return std::make_shared<models::RevGan2d>(o);
    }
    case ModelKind::cyclegan:
    case ModelKind::pix2pix: {
      REVGAN_CHECK(c.mode == StepMode::naive, "{} has no reversible core: memory_saving mode is not available",
                   model_name(c.model));
      models::ResnetGeneratorOptions o;
      o.input_nc = o.output_nc = nc;
      o.ngf = c.ngf;
      o.depth = c.depth;
      o.seed = c.seed;
      if (c.model == ModelKind::pix2pix) return std::make_shared<models::OneWayGenerator>(o);
      return std::make_shared<models::CycleGanGenerators>(o);
    }
    case ModelKind::revgan3d: {
      models::RevGan3dOptions o;
      o.input_nc = o.output_nc = nc;
      o.ngf = c.ngf;
      o.depth = c.depth;
      o.mode = executor(c.mode);
      o.seed = c.seed;
      return std::make_shared<models::RevGan3d>(o);
    }
  }
  REVGAN_FAIL("unhandled model kind");
}

}  // namespace

Tensor ImagePool::query(const Tensor& fake) {
  if (size_ <= 0) return fake;
  if (static_cast<int>(images_.size()) < size_) {
    images_.push_back(fake.clone());
    return fake;
  }
  if (gen_.uniform() < 0.5) return fake;
  const std::size_t i = gen_.below(images_.size());
  Tensor old = images_[i];
  images_[i] = fake.clone();
  return old;
}

TrainSession::TrainSession(const TrainConfig& config)
    : config_(config), pool_x_(config.pool_size, config.seed + 11), pool_y_(config.pool_size, config.seed + 12) {
  const TrainConfig& c = config_;
  REVGAN_CHECK(c.ngf > 0 && c.depth >= 0 && c.batch > 0 && c.ndf > 0, "bench train: ngf, ndf, batch must be positive");
  REVGAN_CHECK(c.size >= min_size(c.model) && c.size % size_step(c.model) == 0,
               "bench train: {} needs a size that is a multiple of {} and at least {}, got {}", model_name(c.model),
               size_step(c.model), min_size(c.model), c.size);
  if (is_3d(c.model)) REVGAN_CHECK(c.ngf % 2 == 0, "bench train: revgan3d needs an even ngf, got {}", c.ngf);
  g_ = make_generators(c);

  const int64_t nc = image_channels(c);
  models::PatchGanOptions d;
  d.dims = is_3d(c.model) ? 3 : 2;
  d.input_nc = is_paired(c.model) ? 2 * nc : nc;  // conditional: cat(condition, image)
  d.ndf = c.ndf;
  d.sigmoid = is_paired(c.model);
  d.seed = c.seed + 1;
  d_y_ = std::make_shared<models::PatchGan>(d);
  std::vector<std::pair<std::string, nn::Module*>> ds{{"d_y", d_y_.get()}};
  if (two_way()) {
    d.seed = c.seed + 2;
    d_x_ = std::make_shared<models::PatchGan>(d);
    ds.emplace_back("d_x", d_x_.get());
  }

  g_->to(c.device);
  d_y_->to(c.device);
  if (d_x_) d_x_->to(c.device);

  const optim::AdamOptions adam{2e-4, 0.5, 0.999, 1e-8};
  opt_g_ = std::make_unique<optim::Adam>(g_->named_parameters(), adam);
  opt_d_ = std::make_unique<optim::Adam>(prefixed(ds), adam);

  Generator gen(c.seed + 3);
  Shape shape = is_3d(c.model) ? Shape{c.batch, nc, c.size, c.size, c.size} : Shape{c.batch, nc, c.size, c.size};
  real_x_ = uniform_batch(shape, gen).to(c.device);
  real_y_ = uniform_batch(shape, gen).to(c.device);
}

bool TrainSession::two_way() const { return config_.model != ModelKind::pix2pix; }

int64_t TrainSession::discriminator_parameters() const {
  return d_y_->parameter_count() + (d_x_ ? d_x_->parameter_count() : 0);
}

int64_t TrainSession::parameter_bytes() const {
  int64_t bytes = 0;
  for (const nn::Module* m : {static_cast<const nn::Module*>(g_.get()), static_cast<const nn::Module*>(d_x_.get()),
                              static_cast<const nn::Module*>(d_y_.get())})
    if (m != nullptr)
      for (const Tensor& p : m->parameters()) bytes += static_cast<int64_t>(p.nbytes());
  return bytes;
}

void TrainSession::step() {
  if (is_paired(config_.model)) {
    paired_step();
  } else {
    unpaired_step();
  }
}

Tensor TrainSession::discriminate(models::PatchGan& d, const Tensor& condition, const Tensor& image) {
  return d.forward(condition.defined() ? ops::concat_channels({condition, image}) : image);
}

// LSGAN (MSE to 1 / 0) on logits for unpaired models, BCE on probabilities for paired ones.
Tensor TrainSession::gan_loss(const Tensor& prediction, bool real) {
  Tensor target = ops::full(prediction.shape(), real ? 1.0 : 0.0, prediction.dtype(), prediction.device());
  return is_paired(config_.model) ? ops::bce_loss(prediction, target) : ops::mse_loss(prediction, target);
}

void TrainSession::unpaired_step() {
  const Tensor& a = real_x_;
  const Tensor& b = real_y_;
  Tensor fake_y, fake_x;
  {
    set_requires_grad(*d_x_, false);
    set_requires_grad(*d_y_, false);
    fake_y = g_->g_xy(a);
    Tensor rec_x = g_->g_yx(fake_y);
    fake_x = g_->g_yx(b);
    Tensor rec_y = g_->g_xy(fake_x);
    Tensor loss = ops::add(gan_loss(d_y_->forward(fake_y), true), gan_loss(d_x_->forward(fake_x), true));
    loss = ops::add(loss, ops::scale(ops::add(ops::l1_loss(rec_x, a), ops::l1_loss(rec_y, b)), lambda_cycle));
    if (config_.lambda_identity > 0) {
      Tensor idt = ops::add(ops::l1_loss(g_->g_xy(b), b), ops::l1_loss(g_->g_yx(a), a));
      loss = ops::add(loss, ops::scale(idt, lambda_cycle * config_.lambda_identity));
    }
    g_saved_ = saved_for_backward({loss});
    opt_g_->zero_grad();
    loss.backward();
    opt_g_->step();
  }
  set_requires_grad(*d_x_, true);
  set_requires_grad(*d_y_, true);
  opt_d_->zero_grad();
  // Each discriminator's loss is back-propagated on its own so that only one graph is alive.
  for (auto [d, real, fake] : {std::tuple{d_y_.get(), b, pool_y_.query(fake_y.detach())},
                               std::tuple{d_x_.get(), a, pool_x_.query(fake_x.detach())}}) {
    Tensor loss = ops::scale(ops::add(gan_loss(d->forward(real), true), gan_loss(d->forward(fake), false)), 0.5);
    loss.backward();
  }
  opt_d_->step();
}

void TrainSession::paired_step() {
  const Tensor& a = real_x_;
  const Tensor& b = real_y_;
  // (discriminator, condition, real target, fake) per direction trained.
  std::vector<std::tuple<models::PatchGan*, Tensor, Tensor, Tensor>> sides;
  {
    for (models::PatchGan* d : {d_x_.get(), d_y_.get()})
      if (d != nullptr) set_requires_grad(*d, false);
    Tensor fake_y = g_->g_xy(a);
    Tensor loss = ops::add(gan_loss(discriminate(*d_y_, a, fake_y), true),
                           ops::scale(ops::l1_loss(fake_y, b), lambda_l1_paired));
    sides.emplace_back(d_y_.get(), a, b, fake_y);
    if (two_way()) {
      Tensor fake_x = g_->g_yx(b);
      loss = ops::add(loss, ops::add(gan_loss(discriminate(*d_x_, b, fake_x), true),
                                     ops::scale(ops::l1_loss(fake_x, a), lambda_l1_paired)));
      sides.emplace_back(d_x_.get(), b, a, fake_x);
    }
    g_saved_ = saved_for_backward({loss});
    opt_g_->zero_grad();
    loss.backward();
    opt_g_->step();
  }
  opt_d_->zero_grad();
  for (auto& [d, condition, real, fake] : sides) {
    set_requires_grad(*d, true);
    Tensor loss = ops::scale(ops::add(gan_loss(discriminate(*d, condition, real), true),
                                      gan_loss(discriminate(*d, condition, fake.detach()), false)),
                             0.5);
    fake = Tensor();
    loss.backward();
  }
  opt_d_->step();
}

}  // namespace revgan::bench
