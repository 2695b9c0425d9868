// pix2pix's U-Net on CUDA against the CPU: the whole composition (batch norm in both modes with
// its buffers moved by Module::to, dropout masks, skip concatenations, transposed convs), and the
// running statistics a CUDA training-mode forward leaves behind.
#include <catch2/catch.hpp>

#include "engine/autograd/grad_mode.hpp"
#include "models/unet_generator.hpp"
#include "tests/support/cuda_skip.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;

TEST_CASE("cuda unet: a U-Net with batch norm and dropout matches the CPU in eval and training mode", "[cuda][model]") {
  test::skip_without_cuda_device();
  models::UnetGeneratorOptions o;
  o.num_downs = 7;
  o.ngf = 2;
  o.input_nc = 2;
  o.output_nc = 1;
  o.use_dropout = true;
  o.seed = 4;
  models::UnetGenerator cpu(o), gpu(o);
  gpu.to(Device::cuda(0));
  const Tensor x = test::random_normal({2, 2, 128, 128}, 41, DType::float32);
  const std::string bn = "model.model.1.model.3.model.2.running_var";
  NoGradScope no_grad;
  for (bool training : {true, false}) {
    INFO("training " << training);
    cpu.train(training);
    gpu.train(training);
    const Tensor y_cpu = cpu.forward(x);
    const Tensor y_gpu = gpu.forward(x.to(Device::cuda(0))).to(Device::cpu());
    REVGAN_REQUIRE_CLOSE(test::compare(y_gpu, y_cpu, test::tolerance::cuda_float32));
    REVGAN_REQUIRE_CLOSE(
        test::compare(gpu.buffer(bn).to(Device::cpu()), cpu.buffer(bn), test::tolerance::cuda_float32));
  }
  CHECK(gpu.buffer(bn).device() == Device::cuda(0));
}
