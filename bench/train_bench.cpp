// The measurement loop around revgan_train's own Trainer, on a fixed random batch (the values do
// not change the cost of a step). Peaks are reset at the start of every timed step so each
// step's own high-water mark is seen; gradients and Adam moments exist from the first step on
// and are charged to their own categories, so warm-up steps do not bias the activation figure.
#include "bench/train_bench.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "bench/device_probe.hpp"
#include "engine/autograd/concurrent_branches.hpp"
#include "engine/memory/allocator.hpp"
#include "engine/tensor/factory.hpp"
#include "models/reversible_generators.hpp"
#include "training/trainer.hpp"

namespace revgan::bench {

namespace {

// Op profiling from a clean slate for its lifetime (when asked for), off afterwards.
class OpProfiling {
 public:
  explicit OpProfiling(bool on) : on_(on) {
    if (!on_) return;
    ops::reset_op_profile();
    ops::set_op_profiling(true);
  }
  ~OpProfiling() {
    if (on_) ops::set_op_profiling(false);
  }
  OpProfiling(const OpProfiling&) = delete;
  OpProfiling& operator=(const OpProfiling&) = delete;

 private:
  bool on_;
};

Tensor uniform_batch(const Shape& shape, Generator& gen, Device device) {
  std::vector<double> v(static_cast<std::size_t>(shape.numel()));
  for (double& x : v) x = 2.0 * gen.uniform() - 1.0;
  return tensor_from_values(shape, v).to(device);
}

int64_t parameter_bytes(const nn::Module& m) {
  int64_t bytes = 0;
  for (const Tensor& p : m.parameters()) bytes += static_cast<int64_t>(p.nbytes());
  return bytes;
}

}  // namespace

TrainResult measure_train(const TrainConfig& config) {
  REVGAN_CHECK(config.steps > 0 && config.warmup >= 0, "bench train: --steps must be positive, --warmup >= 0");
  REVGAN_CHECK(config.batch > 0, "bench train: --batch must be positive, got {}", config.batch);
  REVGAN_CHECK(config.size >= min_size(config) && config.size % size_step(config) == 0,
               "bench train: {} needs a size that is a multiple of {} and at least {}, got {}",
               config.options.model, size_step(config), min_size(config), config.size);
  TrainResult r;
  r.config = config;
  r.threads = omp_get_max_threads();
  const Device device = parse_device(config.options.device);
  require_device(device);
  training::Trainer trainer(training::resolve_options(config.options));
  trainer.set_generator_loss_probe([&](const Tensor& loss) { r.saved = saved_for_backward({loss}); });
  models::PatchGan* d_b = trainer.discriminator_b();
  r.params_g = trainer.generators().parameter_count();
  r.params_d = trainer.discriminator_a().parameter_count() + (d_b != nullptr ? d_b->parameter_count() : 0);
  r.param_bytes = parameter_bytes(trainer.generators()) + parameter_bytes(trainer.discriminator_a()) +
                  (d_b != nullptr ? parameter_bytes(*d_b) : 0);

  const training::TrainOptions& o = config.options;
  Generator gen(o.seed + 3);
  Shape shape{config.batch, o.input_nc, config.size, config.size};
  if (is_3d(config)) shape.push_back(config.size);
  const Tensor real_a = uniform_batch(shape, gen, device);
  shape[1] = o.output_nc;
  const Tensor real_b = uniform_batch(shape, gen, device);
  for (int i = 0; i < config.warmup; ++i) trainer.train_step(real_a, real_b);
  const OpProfiling profiling(config.profile_ops);

  Allocator& alloc = allocator_for(device);
  std::vector<double> seconds;
  double team_sum = 0;
  const uint64_t overlapped_before = overlapped_runs();
  for (int i = 0; i < config.steps; ++i) {
    synchronize_device(device);
    alloc.reset_peak();
    reset_cudnn_workspace_peak(device);
    const int64_t before = alloc.stats().live(MemoryCategory::activations);
    const auto t0 = std::chrono::steady_clock::now();
    trainer.train_step(real_a, real_b);
    synchronize_device(device);
    team_sum += omp_get_max_threads();  // the team of the step just run (set at its start)
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
                      static_cast<double>(config.batch));
    const MemoryStats s = alloc.stats();
    r.peak_activation_bytes = std::max(r.peak_activation_bytes, s.peak(MemoryCategory::activations) - before);
    r.peak_total_bytes = std::max(r.peak_total_bytes, s.peak_live_bytes);
    r.peak_reserved_bytes = std::max(r.peak_reserved_bytes, s.peak_reserved_bytes);
    if (const std::optional<int64_t> ws = cudnn_workspace_peak_bytes(device))
      r.peak_cudnn_workspace_bytes = std::max(r.peak_cudnn_workspace_bytes.value_or(0), *ws);
    r.grad_bytes = s.live(MemoryCategory::gradients);
    r.optimizer_bytes = s.live(MemoryCategory::optimizer_state);
    r.weight_copy_bytes = s.live(MemoryCategory::weight_copies);
  }
  if (config.profile_ops) r.op_times = ops::op_profile();
  r.threads_used = team_sum / config.steps;
  r.branch_runs_at_once = static_cast<double>(overlapped_runs() - overlapped_before) / config.steps;
  r.driver_used_bytes = driver_used_bytes(device);
  r.cudnn_workspace = cudnn_workspace_policy(device);
  std::sort(seconds.begin(), seconds.end());
  r.seconds_per_sample = {seconds[seconds.size() / 2], seconds.front(), seconds.back(), config.steps};
  return r;
}

int64_t core_bytes_per_step(const TrainConfig& config) {
  if (!has_memory_saving(config)) return 0;
  TrainConfig c = config;
  c.options.memory_saving = true;
  // Everything fits; what one step spends of it is what the core keeps.
  constexpr int64_t all = reversible::ReversibleSequence::unlimited_budget - 1;
  c.options.memory_budget = std::to_string(all);
  training::Trainer trainer(training::resolve_options(c.options));
  auto& generators = dynamic_cast<models::ReversibleGenerators&>(trainer.generators());
  const Device device = parse_device(c.options.device);
  Generator gen(c.options.seed + 3);
  Shape shape{c.batch, c.options.input_nc, c.size, c.size};
  if (is_3d(c)) shape.push_back(c.size);
  const Tensor real_a = uniform_batch(shape, gen, device);
  shape[1] = c.options.output_nc;
  const Tensor real_b = uniform_batch(shape, gen, device);
  trainer.train_step(real_a, real_b);
  return all - generators.core().budget_left();
}

}  // namespace revgan::bench
