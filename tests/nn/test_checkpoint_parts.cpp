// Multi-part checkpoints (whole training states): several modules, named optimizers and free
// tensors in one file; partial loads; validation before anything changes.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

#include "engine/io/checkpoint.hpp"
#include "engine/nn/init.hpp"
#include "engine/tensor/factory.hpp"

using namespace revgan;

namespace {

class Block : public nn::Module {
 public:
  explicit Block(int64_t width) {
    register_parameter("weight", Shape{width, 2});
    auto inner = register_module("inner", std::make_shared<nn::Module>());
    inner->register_parameter("bias", Shape{width});
  }
};

void fill(nn::Module& m, uint64_t seed) {
  Generator gen(seed);
  nn::init_normal(m, gen, 1.0);
}

std::vector<std::vector<double>> values(const nn::Module& m) {
  std::vector<std::vector<double>> out;
  for (const Tensor& p : m.parameters()) out.push_back(p.to_vector());
  return out;
}

// One Adam step with a gradient of ones, so the optimizer has state to save.
void step_once(optim::Adam& adam) {
  for (auto& [_, p] : adam.named_parameters()) {
    Tensor g = Tensor::empty(p.shape(), p.dtype());
    for (int64_t i = 0; i < g.numel(); ++i) g.data<float>()[i] = 1.0f;
    Tensor param = p;
    param.set_grad(g);
  }
  adam.step();
}

std::string temp_path(const char* tag) {
  return (std::filesystem::temp_directory_path() / fmt::format("revgan-parts-{}-{}.h5", tag, ::getpid())).string();
}

}  // namespace

TEST_CASE("checkpoint parts: modules, optimizers and tensors round trip, and partial loads", "[nn]") {
  const std::string path = temp_path("roundtrip");
  Block g(3), d(2);
  fill(g, 1);
  fill(d, 2);
  optim::Adam adam_g(g.named_parameters(), {0.1}), adam_d(d.named_parameters(), {0.2});
  step_once(adam_g);
  step_once(adam_d);
  step_once(adam_d);
  Generator gen(3);
  const Tensor pool0 = randn({1, 2, 4, 4}, gen);
  const Tensor volume = randn({1, 1, 2, 3, 4}, gen, 0, 1, DType::float64);

  io::CheckpointParts parts;
  parts.modules = {{"G", &g}, {"nets.D", &d}};
  parts.optimizers = {{"G", &adam_g}, {"D", &adam_d}};
  parts.tensors = {{"pool.0", pool0}, {"volume", volume}};
  io::CheckpointMeta meta;
  meta.step = 7;
  meta.config = "{}";
  io::save_checkpoint(path, parts, meta);

  Block g2(3), d2(2);
  optim::Adam adam_g2(g2.named_parameters()), adam_d2(d2.named_parameters());
  io::CheckpointTargets all;
  all.modules = {{"G", &g2}, {"nets.D", &d2}};
  all.optimizers = {{"G", &adam_g2}, {"D", &adam_d2}};
  all.read_tensors = true;
  const io::LoadedCheckpoint loaded = io::load_checkpoint(path, all);
  CHECK(loaded.meta.step == 7);
  CHECK(values(g2) == values(g));
  CHECK(values(d2) == values(d));
  CHECK(adam_d2.step_count() == 2);
  CHECK(adam_d2.state("inner.bias")->step == 2);
  CHECK(adam_g2.state("weight")->exp_avg_sq.to_vector() == adam_g.state("weight")->exp_avg_sq.to_vector());
  REQUIRE(loaded.tensors.size() == 2);
  CHECK(loaded.tensors[0].first == "pool.0");
  CHECK(loaded.tensors[0].second.to_vector() == pool0.to_vector());
  CHECK(loaded.tensors[1].second.shape() == volume.shape());
  CHECK(loaded.tensors[1].second.dtype() == DType::float64);
  CHECK(loaded.tensors[1].second.to_vector() == volume.to_vector());

  // Only the generator: the rest of the file is ignored.
  Block g3(3);
  io::CheckpointTargets only_g;
  only_g.modules = {{"G", &g3}};
  CHECK(io::load_checkpoint(path, only_g).tensors.empty());
  CHECK(values(g3) == values(g));
  CHECK(io::read_checkpoint_meta(path).config == "{}");

  // A mismatch anywhere leaves every target untouched.
  Block g4(3), wrong(5);
  fill(g4, 9);
  const auto before = values(g4);
  io::CheckpointTargets bad;
  bad.modules = {{"G", &g4}, {"nets.D", &wrong}};
  CHECK_THROWS_WITH(io::load_checkpoint(path, bad), Catch::Contains("expected [5, 2]"));
  CHECK(values(g4) == before);
  bad.modules = {{"G", &g4}, {"absent", &wrong}};
  CHECK_THROWS_WITH(io::load_checkpoint(path, bad), Catch::Contains("absent"));
  CHECK(values(g4) == before);
  io::CheckpointTargets no_opt;
  no_opt.optimizers = {{"E", &adam_g2}};
  CHECK_THROWS_WITH(io::load_checkpoint(path, no_opt), Catch::Contains("'E'"));

  // Names are checked before anything is written.
  io::CheckpointParts twice;
  twice.modules = {{"G", &g}, {"G", &d}};
  CHECK_THROWS_WITH(io::save_checkpoint(path, twice, meta), Catch::Contains("twice"));
  io::CheckpointParts unnamed;
  unnamed.modules = {{"", &g}, {"D", &d}};
  CHECK_THROWS_WITH(io::save_checkpoint(path, unnamed, meta), Catch::Contains("unnamed"));
  io::CheckpointParts slash;
  slash.tensors = {{"a/b", pool0}};
  CHECK_THROWS_WITH(io::save_checkpoint(path, slash, meta), Catch::Contains("a/b"));
  CHECK(io::load_checkpoint(path, only_g).meta.step == 7);  // the file survived the refused saves
  std::filesystem::remove(path);
}
