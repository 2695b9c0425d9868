// Module parameter paths, counts and memory category; layer shapes; deterministic init.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "engine/memory/allocator.hpp"
#include "engine/nn/init.hpp"
#include "engine/nn/layers.hpp"
#include "engine/ops/reduce.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
using namespace revgan::nn;

namespace {

// enc_x.conv1 (3 -> 8, bias), enc_x.conv2 (8 -> 8, no bias), head (8 -> 1, 3D) and a root scalar.
class TinyNet : public Module {
 public:
  explicit TinyNet(int64_t width = 8) {
    gain = register_parameter("gain", Shape{1});
    auto enc = register_module("enc_x", std::make_shared<Module>());
    enc->register_module("conv1", std::make_shared<Conv>(2, 3, width, 3, 1, 1));
    enc->register_module("conv2", std::make_shared<Conv>(2, width, width, 3, 2, 1, false));
    register_module("head", std::make_shared<Conv>(3, width, 1, 1));
  }
  std::string type_name() const override { return "TinyNet"; }
  Tensor gain;
};

std::vector<std::string> names_of(const NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& [n, _] : named) out.push_back(n);
  return out;
}

std::vector<unsigned char> bytes_of(const Tensor& t) {
  std::vector<unsigned char> b(t.nbytes());
  std::memcpy(b.data(), t.raw_data(), b.size());
  return b;
}

}  // namespace

TEST_CASE("named_parameters gives dotted paths depth-first in registration order", "[nn]") {
  TinyNet net;
  REQUIRE(names_of(net.named_parameters()) ==
          std::vector<std::string>{"gain", "enc_x.conv1.weight", "enc_x.conv1.bias", "enc_x.conv2.weight",
                                   "head.weight", "head.bias"});
  REQUIRE(net.parameters().size() == 6);
  REQUIRE(net.parameter("enc_x.conv1.weight").shape() == Shape{8, 3, 3, 3});
  REQUIRE(net.parameter("head.weight").shape() == Shape{1, 8, 1, 1, 1});
  REQUIRE(net.submodule("enc_x.conv2").type_name() == "Conv2d");
  REQUIRE_THROWS_WITH(net.parameter("enc_x.conv9.weight"), Catch::Contains("enc_x.conv9.weight"));
  REQUIRE(net.parameter_count() == 1 + 8 * 3 * 9 + 8 + 8 * 8 * 9 + 8 + 1);
  auto modules = net.named_modules();
  REQUIRE(modules.size() == 5);
  REQUIRE(modules[2].first == "enc_x.conv1");
}

TEST_CASE("Sequential names children by position and chains forward", "[nn]") {
  Sequential seq{std::make_shared<ReflectionPad>(1), std::make_shared<Conv>(2, 2, 4, 3), std::make_shared<InstanceNorm>(),
                 std::make_shared<ReLU>(), std::make_shared<Conv>(2, 4, 2, 1, 1, 0, false)};
  seq.append("out", std::make_shared<Tanh>());
  REQUIRE(names_of(seq.named_parameters()) == std::vector<std::string>{"1.weight", "1.bias", "4.weight"});
  REQUIRE(seq.size() == 6);
  REQUIRE(seq.at(5).type_name() == "Tanh");
  Generator gen(3);
  init_normal(seq, gen, 0.5);
  Tensor x = test::random_normal({2, 2, 5, 6}, 11, DType::float32);
  Tensor y = seq(x);
  REQUIRE(y.shape() == Shape{2, 2, 5, 6});
  for (double v : y.to_vector()) REQUIRE(std::abs(v) < 1.0);
}

TEST_CASE("conv layers produce the expected output shapes and check their input", "[nn]") {
  Generator gen(5);
  Conv down(3, 2, 4, 3, 2, 1);
  ConvTranspose up(3, 4, 2, 3, 2, 1, 1);
  init_normal(down, gen);
  init_normal(up, gen);
  REQUIRE(up.weight().shape() == Shape{4, 2, 3, 3, 3});
  Tensor x = test::random_normal({1, 2, 6, 8, 4}, 1, DType::float32);
  Tensor h = down(x);
  REQUIRE(h.shape() == Shape{1, 4, 3, 4, 2});
  REQUIRE(up(h).shape() == Shape{1, 2, 6, 8, 4});
  REQUIRE_THROWS_WITH(down(test::random_normal({1, 2, 6, 8}, 1, DType::float32)),
                      Catch::Contains("Conv3d") && Catch::Contains("[N, 2, D, H, W]"));
  REQUIRE_THROWS_WITH(ConvTranspose(2, 4, 2, 3, 2, 1, 2), Catch::Contains("output_padding"));
  REQUIRE_THROWS(Conv(4, 1, 1, 1));
  REQUIRE_THROWS(LeakyReLU(-0.1));
}

TEST_CASE("parameters are leaves charged to the parameters category", "[nn][engine]") {
  Allocator& a = cpu_allocator();
  const int64_t before = a.stats().live(MemoryCategory::parameters);
  {
    TinyNet net;
    REQUIRE(a.stats().live(MemoryCategory::parameters) - before == net.parameter_count() * 4);
    for (const auto& t : net.parameters()) {
      REQUIRE(t.requires_grad());
      REQUIRE(t.is_leaf());
      REQUIRE(t.storage()->category() == MemoryCategory::parameters);
    }
    // A tensor made elsewhere is copied into a parameter buffer.
    Module m;
    Tensor act = test::random_normal({4}, 1);
    Tensor p = m.register_parameter("p", act);
    REQUIRE(!p.shares_storage_with(act));
    REQUIRE(p.storage()->category() == MemoryCategory::parameters);
    REQUIRE(p.to_vector() == act.to_vector());
  }
  REQUIRE(a.stats().live(MemoryCategory::parameters) == before);
}

TEST_CASE("invalid or duplicate names are rejected", "[nn]") {
  Module m;
  m.register_parameter("w", Shape{2});
  REQUIRE_THROWS_WITH(m.register_parameter("w", Shape{2}), Catch::Contains("'w'"));
  REQUIRE_THROWS_WITH(m.register_parameter("a.b", Shape{2}), Catch::Contains("'a.b'"));
  REQUIRE_THROWS(m.register_parameter("a/b", Shape{2}));
  REQUIRE_THROWS(m.register_parameter("", Shape{2}));
  REQUIRE_THROWS(m.register_module("w", std::make_shared<ReLU>()));
  REQUIRE_THROWS_WITH(m.forward(Tensor()), Catch::Contains("no forward"));
}

TEST_CASE("init_normal is deterministic per seed, N(0, 0.02) for weights and 0 for biases", "[nn]") {
  TinyNet a(32), b(32), c(32);
  Generator ga(42), gb(42), gc(43);
  init_normal(a, ga);
  init_normal(b, gb);
  init_normal(c, gc);
  auto pa = a.named_parameters(), pb = b.named_parameters(), pc = c.named_parameters();
  bool any_differs = false;
  for (std::size_t i = 0; i < pa.size(); ++i) {
    REQUIRE(bytes_of(pa[i].second) == bytes_of(pb[i].second));
    any_differs = any_differs || bytes_of(pa[i].second) != bytes_of(pc[i].second);
  }
  REQUIRE(any_differs);

  // Draw order is named_parameters order, biases drawing nothing: "gain" takes the first draw,
  // enc_x.conv1.weight the next ones.
  Generator ref(42);
  REQUIRE(a.gain.to_vector()[0] == static_cast<float>(0.02 * ref.normal()));
  const float first_conv = static_cast<float>(0.02 * ref.normal());
  REQUIRE(a.parameter("enc_x.conv1.weight").to_vector()[0] == first_conv);

  for (const auto& [name, t] : pa) {
    if (is_bias(name)) {
      for (double v : t.to_vector()) REQUIRE(v == 0.0);
    }
  }
  // 32 * 32 * 9 draws: the sample std's standard error is 0.02 / sqrt(2 n) ~ 1.5e-4.
  auto w = a.parameter("enc_x.conv2.weight").to_vector();
  double mean = 0, sq = 0;
  for (double v : w) mean += v;
  mean /= static_cast<double>(w.size());
  for (double v : w) sq += (v - mean) * (v - mean);
  const double std = std::sqrt(sq / static_cast<double>(w.size()));
  REQUIRE(std::abs(mean) < 1e-3);
  REQUIRE(std::abs(std - 0.02) < 1e-3);
}

TEST_CASE("init_zeros zeroes one submodule only", "[nn]") {
  TinyNet net;
  Generator gen(1);
  init_normal(net, gen);
  init_zeros(net.submodule("enc_x.conv2"));
  for (double v : net.parameter("enc_x.conv2.weight").to_vector()) REQUIRE(v == 0.0);
  double sum_abs = 0;
  for (double v : net.parameter("enc_x.conv1.weight").to_vector()) sum_abs += std::abs(v);
  REQUIRE(sum_abs > 0);
}

TEST_CASE("zero_grad, train/eval and to(cpu)", "[nn]") {
  Conv conv(2, 1, 2, 3, 1, 1);
  Generator gen(9);
  init_normal(conv, gen);
  Tensor y = ops::sum(conv(test::random_normal({1, 1, 4, 4}, 2, DType::float32)));
  y.backward();
  REQUIRE(conv.weight().grad().defined());
  REQUIRE(conv.weight().grad().storage()->category() == MemoryCategory::gradients);
  conv.zero_grad();
  REQUIRE(!conv.weight().grad().defined());

  TinyNet net;
  REQUIRE(net.submodule("enc_x.conv1").is_training());
  net.eval();
  REQUIRE(!net.submodule("enc_x.conv1").is_training());
  net.train();
  REQUIRE(net.submodule("head").is_training());

  Tensor before = net.gain;
  net.to(Device::cpu());
  REQUIRE(net.gain.same(before));
}
