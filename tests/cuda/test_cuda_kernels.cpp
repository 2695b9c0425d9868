// CUDA kernels called directly, against their CPU twins: the accumulate flag (which the ops
// themselves never set) on every gradient-writing family, and bitwise run-to-run
// reproducibility of a forward + backward that goes through every reduction on the device.
#include <catch2/catch.hpp>

#include "engine/cuda/cuda_check.hpp"
#include "engine/cuda/library_context.hpp"
#include "engine/cuda/stream.hpp"
#include "engine/ops/activation.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/conv.hpp"
#include "engine/ops/instance_norm.hpp"
#include "engine/ops/loss.hpp"
#include "engine/ops/pad.hpp"
#include "engine/ops/reduce.hpp"
#include "engine/ops/upsample.hpp"
#include "kernels/cpu/channels.hpp"
#include "kernels/cpu/conv.hpp"
#include "kernels/cpu/conv_transpose.hpp"
#include "kernels/cpu/elementwise.hpp"
#include "kernels/cpu/instance_norm.hpp"
#include "kernels/cpu/pad.hpp"
#include "kernels/cpu/reduce.hpp"
#include "kernels/cpu/upsample.hpp"
#include "kernels/cuda/channels.cuh"
#include "kernels/cuda/conv.hpp"
#include "kernels/cuda/conv_transpose.hpp"
#include "kernels/cuda/elementwise.cuh"
#include "kernels/cuda/instance_norm.cuh"
#include "kernels/cuda/pad.cuh"
#include "kernels/cuda/reduce.cuh"
#include "kernels/cuda/upsample.cuh"
#include "tests/support/cuda_skip.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;
namespace kcpu = kernels::cpu;
namespace kcuda = kernels::cuda;

namespace {

// A float32 input on both devices plus an existing gradient buffer to accumulate into.
struct Buffers {
  Tensor host, device;
  Buffers(const Shape& s, uint64_t seed)
      : host(test::random_normal(s, seed, DType::float32)), device(host.to(Device::cuda(0))) {}
};

void require_close(const Tensor& gpu, const Tensor& cpu, double tol = test::tolerance::cuda_float32) {
  REVGAN_REQUIRE_CLOSE(test::compare(gpu, cpu, tol));
}

}  // namespace

TEST_CASE("cuda kernels: accumulate adds onto existing gradients like the CPU twins", "[cuda][op]") {
  test::skip_without_cuda_device();
  cuda::set_device(0);
  cudaStream_t s = cuda::stream();

  SECTION("element-wise backward") {
    Buffers y({3, 5, 7}, 1), dy({3, 5, 7}, 2), dx({3, 5, 7}, 3);
    const int64_t n = y.host.numel();
    kcpu::relu_backward<float>(n, y.host.data<float>(), dy.host.data<float>(), dx.host.data<float>(), true);
    REVGAN_CUDA_CHECK(kcuda::relu_backward<float>(n, y.device.data<float>(), dy.device.data<float>(),
                                                  dx.device.data<float>(), true, s));
    require_close(dx.device, dx.host);
    kcpu::mul_backward<float>(n, 0.5f, dy.host.data<float>(), y.host.data<float>(), dx.host.data<float>(), true);
    REVGAN_CUDA_CHECK(kcuda::mul_backward<float>(n, 0.5f, dy.device.data<float>(), y.device.data<float>(),
                                                 dx.device.data<float>(), true, s));
    require_close(dx.device, dx.host);
  }
  SECTION("loss and sum backward read the upstream scalar on the device") {
    Buffers x({4, 33}, 4), t({4, 33}, 5), dx({4, 33}, 6), g({1}, 7);
    const int64_t n = x.host.numel();
    kcpu::l1_loss_backward<float>(n, g.host.data<float>()[0], x.host.data<float>(), t.host.data<float>(),
                                  dx.host.data<float>(), true);
    REVGAN_CUDA_CHECK(kcuda::l1_loss_backward<float>(n, g.device.data<float>(), x.device.data<float>(),
                                                     t.device.data<float>(), dx.device.data<float>(), true, s));
    require_close(dx.device, dx.host);
    kcpu::broadcast_scalar<float>(n, static_cast<float>(g.host.data<float>()[0] / 3.0), dx.host.data<float>(), true);
    REVGAN_CUDA_CHECK(kcuda::broadcast_scalar<float>(n, g.device.data<float>(), 3.0, dx.device.data<float>(), true, s));
    require_close(dx.device, dx.host);
  }
  SECTION("padding backward") {
    kernels::PadGeometry geo;
    geo.planes = 3;
    geo.input = {2, 4, 5};
    geo.output = {4, 7, 9};
    geo.pad_before = {1, 2, 3};
    Buffers dy({3, 4, 7, 9}, 8), dx({3, 2, 4, 5}, 9);
    for (auto mode : {kernels::PadMode::reflect, kernels::PadMode::replicate}) {
      kcpu::pad_backward<float>(geo, mode, dy.host.data<float>(), dx.host.data<float>(), true);
      REVGAN_CUDA_CHECK(
          kcuda::pad_backward<float>(geo, mode, dy.device.data<float>(), dx.device.data<float>(), true, s));
      require_close(dx.device, dx.host);
    }
  }
  SECTION("up-sampling backward") {
    kernels::UpsampleGeometry geo;
    geo.planes = 2;
    geo.input = {3, 4, 5};
    geo.output = {5, 8, 5};
    Buffers dy({2, 5, 8, 5}, 10), dx({2, 3, 4, 5}, 11);
    kcpu::upsample_linear_backward<float>(geo, dy.host.data<float>(), dx.host.data<float>(), true);
    REVGAN_CUDA_CHECK(
        kcuda::upsample_linear_backward<float>(geo, dy.device.data<float>(), dx.device.data<float>(), true, s));
    require_close(dx.device, dx.host);
  }
  SECTION("instance norm backward") {
    kernels::NormGeometry geo;
    geo.instances = 6;
    geo.spatial = 300;
    Buffers y({6, 300}, 12), dy({6, 300}, 13), dx({6, 300}, 14);
    Tensor invstd_host = test::random_uniform({6}, 15, 0.5, 2.0, DType::float32);
    Tensor invstd = invstd_host.to(Device::cuda(0));
    kcpu::instance_norm_backward<float>(geo, y.host.data<float>(), invstd_host.data<float>(), dy.host.data<float>(),
                                        dx.host.data<float>(), true);
    REVGAN_CUDA_CHECK(kcuda::instance_norm_backward<float>(geo, y.device.data<float>(), invstd.data<float>(),
                                                           dy.device.data<float>(), dx.device.data<float>(), true, s));
    require_close(dx.device, dx.host);
  }
  SECTION("channel copies") {
    kernels::ChannelBlock geo{2, 12};
    Buffers src({2, 3, 12}, 16), dst({2, 5, 12}, 17);
    kcpu::copy_channels_into<float>(geo, 3, src.host.data<float>(), 5, 1, dst.host.data<float>(), true);
    REVGAN_CUDA_CHECK(
        kcuda::copy_channels_into<float>(geo, 3, src.device.data<float>(), 5, 1, dst.device.data<float>(), true, s));
    require_close(dst.device, dst.host);
    kcpu::copy_channels_from<float>(geo, 5, 2, dst.host.data<float>(), 3, src.host.data<float>(), true);
    REVGAN_CUDA_CHECK(
        kcuda::copy_channels_from<float>(geo, 5, 2, dst.device.data<float>(), 3, src.device.data<float>(), true, s));
    require_close(src.device, src.host);
  }
  SECTION("convolution backward through cuDNN (beta = 1)") {
    kernels::ConvGeometry geo;
    geo.batch = 2;
    geo.in_channels = 3;
    geo.out_channels = 4;
    geo.input = {1, 7, 6};
    geo.output = {1, 7, 6};
    geo.kernel = {1, 3, 3};
    geo.padding = {0, 1, 1};
    Buffers x({2, 3, 7, 6}, 18), w({4, 3, 3, 3}, 19), dy({2, 4, 7, 6}, 20), dx({2, 3, 7, 6}, 21), dw({4, 3, 3, 3}, 22);
    Tensor ws = Tensor::empty({kcpu::conv_workspace_elements(geo)}, DType::float32);
    kcpu::conv_backward_input<float>(geo, dy.host.data<float>(), w.host.data<float>(), dx.host.data<float>(),
                                     ws.data<float>(), true);
    REVGAN_LIBRARY_CHECK(kcuda::conv_backward_input<float>(cuda::library_context(), geo, dy.device.data<float>(),
                                                          w.device.data<float>(), dx.device.data<float>(), true));
    require_close(dx.device, dx.host, test::tolerance::cudnn_conv_float32);
    kcpu::conv_backward_weight<float>(geo, x.host.data<float>(), dy.host.data<float>(), dw.host.data<float>(), nullptr,
                                      ws.data<float>(), true);
    REVGAN_LIBRARY_CHECK(kcuda::conv_backward_weight<float>(cuda::library_context(), geo, x.device.data<float>(),
                                                           dy.device.data<float>(), dw.device.data<float>(), nullptr,
                                                           true));
    require_close(dw.device, dw.host, test::tolerance::cudnn_conv_float32);
  }
  SECTION("transposed convolution backward") {
    kernels::ConvGeometry geo;
    geo.batch = 2;
    geo.in_channels = 3;
    geo.out_channels = 2;
    geo.input = {1, 4, 5};
    geo.output = {1, 8, 10};
    geo.kernel = {1, 3, 3};
    geo.stride = {1, 2, 2};
    geo.padding = {0, 1, 1};
    geo.output_padding = {0, 1, 1};
    Buffers x({2, 3, 4, 5}, 23), w({3, 2, 3, 3}, 24), dy({2, 2, 8, 10}, 25), dx({2, 3, 4, 5}, 26), dw({3, 2, 3, 3}, 27),
        db({2}, 28);
    Tensor ws_host = Tensor::empty({kcpu::conv_transpose_workspace_elements(geo)}, DType::float32);
    Tensor ws = Tensor::empty({kcuda::conv_transpose_workspace_elements(geo)}, DType::float32, Device::cuda(0));
    kcpu::conv_transpose_backward_input<float>(geo, dy.host.data<float>(), w.host.data<float>(), dx.host.data<float>(),
                                               ws_host.data<float>(), true);
    REVGAN_LIBRARY_CHECK(kcuda::conv_transpose_backward_input<float>(cuda::library_context(), geo,
                                                                     dy.device.data<float>(), w.device.data<float>(),
                                                                     dx.device.data<float>(), ws.data<float>(), true));
    require_close(dx.device, dx.host);
    kcpu::conv_transpose_backward_weight<float>(geo, x.host.data<float>(), dy.host.data<float>(), dw.host.data<float>(),
                                                db.host.data<float>(), ws_host.data<float>(), true);
    REVGAN_LIBRARY_CHECK(kcuda::conv_transpose_backward_weight<float>(
        cuda::library_context(), geo, x.device.data<float>(), dy.device.data<float>(), dw.device.data<float>(),
        db.device.data<float>(), ws.data<float>(), true));
    require_close(dw.device, dw.host);
    require_close(db.device, db.host);
  }
}

TEST_CASE("cuda kernels: forward and backward are bitwise reproducible", "[cuda][op]") {
  test::skip_without_cuda_device();
  auto run = [] {
    Tensor x = test::random_normal({2, 4, 33, 31}, 30, DType::float32).to(Device::cuda(0));
    Tensor w = test::random_normal({4, 4, 3, 3}, 31, DType::float32).to(Device::cuda(0));
    Tensor b = test::random_normal({4}, 32, DType::float32).to(Device::cuda(0));
    for (Tensor* t : {&x, &w, &b}) t->set_requires_grad(true);
    Tensor h = ops::instance_norm(ops::conv(ops::reflection_pad(x, 1), w, b));
    h = ops::upsample_linear(ops::relu(h), {66, 62});
    Tensor loss = ops::add(ops::mean(h), ops::mse_loss(ops::tanh(h), ops::zeros_like(h)));
    loss.backward();
    return std::vector<std::vector<double>>{loss.to_vector(), x.grad().to_vector(), w.grad().to_vector(),
                                            b.grad().to_vector()};
  };
  const auto first = run();
  const auto second = run();
  REQUIRE(first.size() == second.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    INFO("tensor " << i);
    CHECK(first[i] == second[i]);
  }
}
