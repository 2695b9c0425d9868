// pytorch-CycleGAN-and-pix2pix U-Nets (unet_128 with batch norm and dropout layers, unet_128
// with instance norm, unet_256 with batch norm) from state dicts in both torch.save formats:
// keys and shapes load strictly into our UnetGenerator, and its outputs match PyTorch's on a
// fixed input (float64 reference, our float32 within 1e-5 of the output scale) in eval mode
// (running statistics, no dropout: their --eval) and in training mode with dropout off (batch
// statistics: their test.py without --eval, with --no_dropout), where the running statistics
// then move exactly as PyTorch's do.
#include <hdf5.h>

#include <catch2/catch.hpp>

#include "engine/autograd/grad_mode.hpp"
#include "engine/io/hdf5_handle.hpp"
#include "engine/io/pth/module_state.hpp"
#include "engine/io/pth/pth_reader.hpp"
#include "engine/ops/arithmetic.hpp"
#include "models/pytorch_names.hpp"
#include "models/unet_generator.hpp"
#include "tests/interop/interop_test_util.hpp"
#include "tests/support/tolerance.hpp"
#include "tools/infer/pth_generator.hpp"

using namespace revgan;
using revgan::test::interop_data;
using revgan::test::read_pth_golden;

namespace {

std::shared_ptr<models::UnetGenerator> load_unet(const std::string& file, const models::UnetGeneratorOptions& o) {
  auto g = std::make_shared<models::UnetGenerator>(o);
  const std::string path = interop_data(file).string();
  io::pth::load_state_dict(*g, io::pth::read_pth(path).state, models::pix2pix_unet_names(*g), path);
  return g;
}

models::UnetGeneratorOptions unet(int64_t downs, int64_t ngf, const char* norm, bool dropout, int64_t in_nc,
                                  int64_t out_nc) {
  models::UnetGeneratorOptions o;
  o.num_downs = downs;
  o.ngf = ngf;
  o.norm = norm;
  o.use_dropout = dropout;
  o.input_nc = in_nc;
  o.output_nc = out_nc;
  return o;
}

}  // namespace

TEST_CASE("pth unet: batch-norm unet_128 matches PyTorch in eval and in training mode", "[model]") {
  const test::PthGolden eval_golden = read_pth_golden("unet128_batch_eval");
  const test::PthGolden train_golden = read_pth_golden("unet128_batch_train");
  const Tensor running_mean = test::read_golden_dataset("unet128_batch_train/running_mean", DType::float64);
  for (const char* format : {"zip", "legacy"}) {
    INFO(format);
    NoGradScope no_grad;
    // --eval: running statistics; the Dropout layers are off in eval mode.
    auto g = load_unet(fmt::format("unet128_batch_{}.pth", format), unet(7, 2, "batch", true, 1, 1));
    g->eval();
    REVGAN_REQUIRE_CLOSE(
        test::compare(g->forward(eval_golden.input), eval_golden.output, test::tolerance::golden_float32));
    // Without --eval, with --no_dropout: batch statistics; the file has the same keys.
    auto t = load_unet(fmt::format("unet128_batch_{}.pth", format), unet(7, 2, "batch", false, 1, 1));
    t->train();
    REVGAN_REQUIRE_CLOSE(
        test::compare(t->forward(train_golden.input), train_golden.output, test::tolerance::golden_float32));
    REVGAN_REQUIRE_CLOSE(
        test::compare(t->buffer("model.model.1.model.2.running_mean"), running_mean, test::tolerance::golden_float32));
  }
}

TEST_CASE("pth unet: instance-norm unet_128 (convs with biases) matches PyTorch", "[model]") {
  const test::PthGolden golden = read_pth_golden("unet128_instance_eval");
  for (const char* format : {"zip", "legacy"}) {
    INFO(format);
    auto g = load_unet(fmt::format("unet128_instance_{}.pth", format), unet(7, 1, "instance", false, 2, 1));
    g->eval();
    NoGradScope no_grad;
    REVGAN_REQUIRE_CLOSE(test::compare(g->forward(golden.input), golden.output, test::tolerance::golden_float32));
  }
}

TEST_CASE("pth unet: unet_256 loads strictly with its running statistics and runs", "[model]") {
  for (const char* format : {"zip", "legacy"}) {
    INFO(format);
    const std::string path = interop_data(fmt::format("unet256_batch_{}.pth", format)).string();
    const io::pth::StateDict state = io::pth::read_pth(path).state;
    auto g = load_unet(fmt::format("unet256_batch_{}.pth", format), unet(8, 1, "batch", true, 1, 2));
    // Every key of the file is a parameter or buffer of ours, with the same values.
    const io::pth::StateDict back = io::pth::export_state_dict(*g, models::pix2pix_unet_names(*g));
    REQUIRE(back.entries.size() == state.entries.size());
    for (const auto& [key, stored] : state.entries) {
      INFO(key);
      const io::pth::StoredTensor* ours = back.find(key);
      REQUIRE(ours != nullptr);
      CHECK(ours->shape == stored.shape);
      CHECK(ours->bytes == stored.bytes);
    }
    g->eval();
    NoGradScope no_grad;
    const Tensor y = g->forward(ops::full({1, 1, 256, 256}, 0.25, DType::float32));
    CHECK(y.shape() == Shape{1, 2, 256, 256});
    // The wrong depth is refused naming a key.
    auto wrong = std::make_shared<models::UnetGenerator>(unet(7, 1, "batch", true, 1, 2));
    REQUIRE_THROWS_WITH(io::pth::load_state_dict(*wrong, state, models::pix2pix_unet_names(*wrong), path),
                        Catch::Contains("unexpected key"));
  }
}

TEST_CASE("pth unet: revgan_infer's loader follows their test.py with and without --eval", "[model]") {
  const test::PthGolden eval_golden = read_pth_golden("unet128_batch_eval");
  const test::PthGolden train_golden = read_pth_golden("unet128_batch_train");
  infer::PthGeneratorOptions o;
  o.netG = "unet_128";
  o.ngf = 2;
  o.norm = "batch";
  o.input_nc = o.output_nc = 1;
  const auto file = interop_data("unet128_batch_zip.pth");
  o.eval = true;
  const infer::Translator eval = infer::translator_from_pth(file, o, true, Device::cpu());
  REVGAN_REQUIRE_CLOSE(test::compare(eval.run(eval_golden.input), eval_golden.output, test::tolerance::golden_float32));
  o.eval = false;
  o.no_dropout = true;
  const infer::Translator train = infer::translator_from_pth(file, o, true, Device::cpu());
  REVGAN_REQUIRE_CLOSE(
      test::compare(train.run(train_golden.input), train_golden.output, test::tolerance::golden_float32));
  // Without --no_dropout and --eval, dropout is on (seeded): the output differs from the golden.
  o.no_dropout = false;
  const infer::Translator dropout = infer::translator_from_pth(file, o, true, Device::cpu());
  const auto with_dropout = test::compare(dropout.run(train_golden.input), train_golden.output, 1e-5);
  CHECK_FALSE(with_dropout.ok);
  // Tiles are refused: the U-Net runs whole.
  infer::TileOptions tiles;
  tiles.tile = 64;
  REQUIRE_THROWS_WITH(eval.plan(128, 128, tiles), Catch::Contains("whole images only"));

  // Wrong options name what the file looks like.
  o.ngf = 4;
  REQUIRE_THROWS_WITH(
      infer::load_pth_generators(file, o, true),
      Catch::Contains("has shape") && Catch::Contains("looks like --netG unet_128 --ngf 2 --input_nc 1 --norm batch"));
  o.ngf = 2;
  o.netG = "unet_256";
  REQUIRE_THROWS_WITH(infer::load_pth_generators(file, o, true), Catch::Contains("looks like --netG unet_128"));
}
