// Trainer checkpoints: everything a resumed run needs to continue bit for bit (on the CPU).
#include <algorithm>
#include <charconv>

#include "engine/io/checkpoint.hpp"
#include "training/seeds.hpp"
#include "training/trainer.hpp"

namespace revgan::training {

namespace {

constexpr const char* k_pool_B = "fake_B_pool";  // fakes of domain B, shown to D_A
constexpr const char* k_pool_A = "fake_A_pool";

int64_t parse_int(const std::string& path, const std::string& key, const std::string& text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  REVGAN_CHECK(ec == std::errc() && p == text.data() + text.size(), "checkpoint '{}': attribute '{}' = '{}' is not an integer",
               path, key, text);
  return v;
}

const std::string& extra(const io::CheckpointMeta& meta, const std::string& path, const std::string& key) {
  auto it = meta.extra.find(key);
  REVGAN_CHECK(it != meta.extra.end(), "checkpoint '{}' has no '{}' attribute (not a revgan_train checkpoint?)", path,
               key);
  return it->second;
}

// Pool images stored as "<pool>.<index>", back in index order.
std::vector<Tensor> pool_images(const std::vector<std::pair<std::string, Tensor>>& tensors, const std::string& pool,
                                const std::string& path, Device device) {
  std::vector<std::pair<int64_t, Tensor>> found;
  const std::string prefix = pool + ".";
  for (const auto& [name, t] : tensors)
    if (name.rfind(prefix, 0) == 0) found.emplace_back(parse_int(path, name, name.substr(prefix.size())), t);
  std::sort(found.begin(), found.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<Tensor> out;
  for (std::size_t i = 0; i < found.size(); ++i) {
    REVGAN_CHECK(found[i].first == static_cast<int64_t>(i), "checkpoint '{}': {} images are not numbered 0..{}",
                 path, pool, found.size() - 1);
    out.push_back(found[i].second.to(device));
  }
  return out;
}

}  // namespace

void Trainer::save(const std::string& path, const TrainProgress& progress) const {
  io::CheckpointParts parts;
  parts.modules.emplace_back(generator_part, generators_.get());
  parts.modules.emplace_back("D_A", d_a_.get());
  if (d_b_) parts.modules.emplace_back("D_B", d_b_.get());
  parts.optimizers.emplace_back("G", optimizer_g_.get());
  parts.optimizers.emplace_back("D", optimizer_d_.get());
  io::CheckpointMeta meta;
  meta.step = progress.total_iters;
  meta.epoch = progress.epoch;
  meta.config = options_to_json(options_.get());
  meta.extra["kind"] = "revgan_train";
  meta.extra["model"] = options_->model;
  meta.extra["epoch_iter"] = fmt::format("{}", progress.epoch_iter);
  meta.extra["trainer_steps"] = fmt::format("{}", steps_);
  meta.extra["lr"] = fmt::format("{}", learning_rate());
  meta.extra["data_seed"] = fmt::format("{}", data_seed_);
  for (const auto& [name, pool] : {std::pair{k_pool_B, pool_fake_B_.get()}, {k_pool_A, pool_fake_A_.get()}}) {
    if (pool == nullptr) continue;
    meta.extra[fmt::format("{}_rng", name)] = generator_state_to_string(pool->rng_state());
    for (std::size_t i = 0; i < pool->images().size(); ++i)
      parts.tensors.emplace_back(fmt::format("{}.{}", name, i), pool->images()[i]);
  }
  io::save_checkpoint(path, parts, meta);
}

TrainProgress Trainer::load(const std::string& path) {
  // The options first: a clear message beats a list of mismatching parameter shapes.
  const io::CheckpointMeta head = io::read_checkpoint_meta(path);
  REVGAN_CHECK(extra(head, path, "kind") == "revgan_train", "'{}' is not a training checkpoint", path);
  const TrainOptions saved = options_from_json(head.config);
  const std::vector<std::string> differing = differing_network_options(resolve_options(saved).get(), options_.get());
  if (!differing.empty()) {
    std::string list;
    for (const std::string& d : differing) list += fmt::format("{}{}", list.empty() ? "" : "; ", d);
    REVGAN_FAIL("checkpoint '{}' was trained with other networks: {}. Resume with the checkpoint's values", path, list);
  }

  io::CheckpointTargets targets;
  targets.modules.emplace_back(generator_part, generators_.get());
  targets.modules.emplace_back("D_A", d_a_.get());
  if (d_b_) targets.modules.emplace_back("D_B", d_b_.get());
  targets.optimizers.emplace_back("G", optimizer_g_.get());
  targets.optimizers.emplace_back("D", optimizer_d_.get());
  targets.read_tensors = true;
  // Pool contents are checked before the load changes the networks.
  std::vector<Tensor> images_B, images_A;
  Generator::State rng_B, rng_A;
  if (!paired_) {
    rng_B = generator_state_from_string(extra(head, path, fmt::format("{}_rng", k_pool_B)));
    rng_A = generator_state_from_string(extra(head, path, fmt::format("{}_rng", k_pool_A)));
  }
  const io::LoadedCheckpoint loaded = io::load_checkpoint(path, targets);
  if (!paired_) {
    images_B = pool_images(loaded.tensors, k_pool_B, path, device_);
    images_A = pool_images(loaded.tensors, k_pool_A, path, device_);
    pool_fake_B_->restore(std::move(images_B), rng_B);
    pool_fake_A_->restore(std::move(images_A), rng_A);
  }
  const io::CheckpointMeta& meta = loaded.meta;
  TrainProgress progress;
  progress.epoch = meta.epoch;
  progress.total_iters = meta.step;
  progress.epoch_iter = parse_int(path, "epoch_iter", extra(meta, path, "epoch_iter"));
  steps_ = parse_int(path, "trainer_steps", extra(meta, path, "trainer_steps"));
  data_seed_ = static_cast<uint64_t>(std::stoull(extra(meta, path, "data_seed")));
  const std::string& lr_text = extra(meta, path, "lr");
  set_learning_rate(std::strtod(lr_text.c_str(), nullptr));
  return progress;
}

}  // namespace revgan::training
