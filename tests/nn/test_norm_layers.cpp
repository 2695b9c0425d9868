// BatchNorm and Dropout modules: PyTorch's parameter and buffer names, training vs eval
// behaviour, running statistics that survive a checkpoint round trip (and are required when
// loading), and Dropout's seeded, eval-off masks.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "engine/io/checkpoint.hpp"
#include "engine/nn/layers.hpp"
#include "engine/ops/arithmetic.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;
namespace fs = std::filesystem;

TEST_CASE("BatchNorm names its parameters and buffers as PyTorch's BatchNorm2d", "[model]") {
  nn::BatchNorm bn(3);
  std::vector<std::string> params, buffers;
  for (const auto& [n, _] : bn.named_parameters()) params.push_back(n);
  for (const auto& [n, _] : bn.named_buffers()) buffers.push_back(n);
  CHECK(params == std::vector<std::string>{"weight", "bias"});
  CHECK(buffers == std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"});
  CHECK(bn.buffer("running_var").to_vector() == std::vector<double>{1, 1, 1});
  CHECK_FALSE(bn.buffer("running_mean").requires_grad());
  nn::BatchNorm plain(2, 1e-5, 0.1, false);
  CHECK(plain.named_parameters().empty());
}

TEST_CASE("BatchNorm tracks running statistics in training and uses them in eval", "[model]") {
  nn::BatchNorm bn(2);
  Tensor x = test::random_uniform({4, 2, 3, 3}, 81, 1.0, 5.0, DType::float32);
  Tensor y_train = bn(x);
  auto rm = bn.running_mean().to_vector();
  CHECK(rm[0] > 0.25);  // 0.1 * a batch mean near 3
  CHECK(bn.buffer("num_batches_tracked").to_vector() == std::vector<double>{1});
  bn.eval();
  Tensor y_eval = bn(x);
  CHECK(bn.running_mean().to_vector() == rm);  // eval leaves the statistics alone
  CHECK(bn.buffer("num_batches_tracked").to_vector() == std::vector<double>{1});
  CHECK(y_eval.to_vector() != y_train.to_vector());
}

TEST_CASE("running statistics are saved in checkpoints and required when loading", "[model]") {
  const fs::path dir = fs::temp_directory_path() / fs::path("revgan_norm_layers_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "bn.h5").string();
  nn::Sequential a;
  a.append(std::make_shared<nn::BatchNorm>(3));
  a(test::random_uniform({2, 3, 4, 4}, 82, -2.0, 6.0, DType::float32));
  io::save_checkpoint(path, a, nullptr, {});

  nn::Sequential b;
  b.append(std::make_shared<nn::BatchNorm>(3));
  io::load_checkpoint(path, b, nullptr);
  for (const char* name : {"0.running_mean", "0.running_var", "0.num_batches_tracked"})
    CHECK(b.buffer(name).to_vector() == a.buffer(name).to_vector());

  // A checkpoint of a network without buffers cannot fill them.
  const std::string plain = (dir / "plain.h5").string();
  nn::Sequential c;
  c.append(std::make_shared<nn::ReLU>());
  c.register_parameter("w", Shape{3});
  io::save_checkpoint(plain, c, nullptr, {});
  nn::Sequential d;
  d.append(std::make_shared<nn::BatchNorm>(3, 1e-5, 0.1, false));
  d.register_parameter("w", Shape{3});
  REQUIRE_THROWS_WITH(io::load_checkpoint(plain, d, nullptr), Catch::Contains("buffers"));
  fs::remove_all(dir);
}

TEST_CASE("Dropout is seeded, on in training and off in eval", "[model]") {
  Tensor x = ops::full({2, 4, 8, 8}, 1.0, DType::float32);
  nn::Dropout a(0.5, 3), b(0.5, 3);
  auto ya = a(x).to_vector();
  CHECK(ya == b(x).to_vector());
  int zeros = 0;
  for (double v : ya) zeros += v == 0;
  CHECK(zeros > 0);
  a.eval();
  CHECK(a(x).to_vector() == x.to_vector());
}
