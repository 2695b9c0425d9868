// Trainer checkpoints: everything a resumed run needs to continue bit for bit (on the CPU).
#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

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

// Pools of rank r > 0 are stored as "rank<r>.<pool>"; rank 0's under the single-process names.
std::string pool_name(const char* pool, int rank) {
  return rank == 0 ? std::string(pool) : fmt::format("rank{}.{}", rank, pool);
}

// Bytes <-> pool images and RNG state, for the gather to rank 0: the RNG state's text, then
// per image its rank, dims, dtype and data (all little-endian, as this machine writes them).
template <class T>
void put(std::vector<char>& out, const T& v) {
  const char* p = reinterpret_cast<const char*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}
template <class T>
T take(const std::vector<char>& in, std::size_t& at, const std::string& path) {
  REVGAN_CHECK(at + sizeof(T) <= in.size(), "saving '{}': a rank's pool arrived truncated", path);
  T v;
  std::memcpy(&v, in.data() + at, sizeof v);
  at += sizeof v;
  return v;
}

void put_pool(std::vector<char>& out, const ImagePool& pool) {
  const std::string rng = generator_state_to_string(pool.rng_state());
  put(out, static_cast<uint64_t>(rng.size()));
  out.insert(out.end(), rng.begin(), rng.end());
  put(out, static_cast<uint64_t>(pool.images().size()));
  for (const Tensor& image : pool.images()) {
    const Tensor host = image.to(Device::cpu());
    put(out, static_cast<int32_t>(host.dim()));
    for (int d = 0; d < host.dim(); ++d) put(out, host.size(d));
    put(out, static_cast<int32_t>(host.dtype() == DType::float32 ? 4 : 8));
    const char* data = static_cast<const char*>(host.raw_data());
    out.insert(out.end(), data, data + host.nbytes());
  }
}

void take_pool(const std::vector<char>& in, std::size_t& at, ImagePool& pool, const std::string& path) {
  const auto rng_size = take<uint64_t>(in, at, path);
  REVGAN_CHECK(at + rng_size <= in.size(), "saving '{}': a rank's pool arrived truncated", path);
  const std::string rng(in.data() + at, static_cast<std::size_t>(rng_size));
  at += static_cast<std::size_t>(rng_size);
  const auto count = take<uint64_t>(in, at, path);
  std::vector<Tensor> images;
  for (uint64_t i = 0; i < count; ++i) {
    const auto rank = take<int32_t>(in, at, path);
    Shape shape;
    for (int32_t d = 0; d < rank; ++d) shape.push_back(take<int64_t>(in, at, path));
    const DType dtype = take<int32_t>(in, at, path) == 4 ? DType::float32 : DType::float64;
    Tensor t = Tensor::empty(shape, dtype);
    REVGAN_CHECK(at + t.nbytes() <= in.size(), "saving '{}': a rank's pool arrived truncated", path);
    std::memcpy(t.raw_data(), in.data() + at, t.nbytes());
    at += t.nbytes();
    images.push_back(t);
  }
  pool.restore(std::move(images), generator_state_from_string(rng));
}

}  // namespace

std::vector<char> Trainer::serialise_pools() const {
  std::vector<char> out;
  if (paired_) return out;
  put_pool(out, *pool_fake_B_);
  put_pool(out, *pool_fake_A_);
  return out;
}

void Trainer::deserialise_pools(const std::vector<char>& bytes, ImagePool& fake_B, ImagePool& fake_A,
                                const std::string& path) const {
  std::size_t at = 0;
  take_pool(bytes, at, fake_B, path);
  take_pool(bytes, at, fake_A, path);
}

void Trainer::save(const std::string& path, const TrainProgress& progress) const {
  const int world = comm_ != nullptr ? comm_->size() : 1;
  // Every rank's pools travel to rank 0 (a collective: every rank calls save at the same point).
  std::vector<std::vector<char>> rank_pools;
  if (world > 1) {
    rank_pools = comm_->gather(serialise_pools(), 0);
    if (comm_->rank() != 0) return;
  }
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
  if (world > 1) meta.extra["world_size"] = fmt::format("{}", world);
  auto add_pool = [&](const std::string& name, const ImagePool& pool) {
    meta.extra[fmt::format("{}_rng", name)] = generator_state_to_string(pool.rng_state());
    for (std::size_t i = 0; i < pool.images().size(); ++i)
      parts.tensors.emplace_back(fmt::format("{}.{}", name, i), pool.images()[i]);
  };
  // The other ranks' pools, kept alive here until the file is written.
  std::vector<std::unique_ptr<ImagePool>> others;
  for (int r = 0; r < world && !paired_; ++r) {
    const ImagePool* b = pool_fake_B_.get();
    const ImagePool* a = pool_fake_A_.get();
    if (r > 0) {
      others.push_back(std::make_unique<ImagePool>(options_->pool_size, 0));
      others.push_back(std::make_unique<ImagePool>(options_->pool_size, 0));
      deserialise_pools(rank_pools[static_cast<std::size_t>(r)], *others[others.size() - 2], *others.back(), path);
      b = others[others.size() - 2].get();
      a = others.back().get();
    }
    add_pool(pool_name(k_pool_B, r), *b);
    add_pool(pool_name(k_pool_A, r), *a);
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
  const int world = comm_ != nullptr ? comm_->size() : 1;
  const int rank = comm_ != nullptr ? comm_->rank() : 0;
  const auto saved_world = head.extra.find("world_size");
  const int64_t written_by = saved_world == head.extra.end() ? 1 : parse_int(path, "world_size", saved_world->second);
  REVGAN_CHECK(written_by == world,
               "checkpoint '{}' was written by {} data-parallel process(es), this run has {}: resume with the same "
               "number (mpirun -np {})",
               path, written_by, world, written_by);
  const std::string pool_B = pool_name(k_pool_B, rank), pool_A = pool_name(k_pool_A, rank);
  if (!paired_) {
    rng_B = generator_state_from_string(extra(head, path, fmt::format("{}_rng", pool_B)));
    rng_A = generator_state_from_string(extra(head, path, fmt::format("{}_rng", pool_A)));
  }
  const io::LoadedCheckpoint loaded = io::load_checkpoint(path, targets);
  if (!paired_) {
    images_B = pool_images(loaded.tensors, pool_B, path, device_);
    images_A = pool_images(loaded.tensors, pool_A, path, device_);
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
