// The emulated cuDNN: forward, backward data and backward filter against the CPU backend's
// im2col convolution (2D and 3D, strides, pads, alpha and beta), dilation against an undilated
// convolution with zeros inserted into the filter, CUDNN_CONVOLUTION against cross-correlation
// with a mirrored filter, the heuristics' ranking, and refusals of what is not emulated.
#include <cudnn.h>

#include <cmath>

#include "kernels/cpu/conv.hpp"
#include "tests/emulator/emu_test_util.hpp"

using namespace revgan;
using test::DeviceArray;
using test::random_values;

namespace {

std::vector<int> packed_strides(const std::vector<int>& dims) {
  std::vector<int> s(dims.size());
  int stride = 1;
  for (std::size_t i = dims.size(); i-- > 0;) {
    s[i] = stride;
    stride *= dims[i];
  }
  return s;
}

// Descriptors for one double-precision problem; 2D when depth is 1 and the kernel's depth is 1.
struct Conv {
  cudnnHandle_t h = nullptr;
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  kernels::ConvGeometry g;

  Conv(const kernels::ConvGeometry& geo, bool three_d, std::vector<int> dilation = {},
       cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION)
      : g(geo) {
    REQUIRE(cudnnCreate(&h) == CUDNN_STATUS_SUCCESS);
    REQUIRE(cudnnCreateTensorDescriptor(&x) == CUDNN_STATUS_SUCCESS);
    REQUIRE(cudnnCreateTensorDescriptor(&y) == CUDNN_STATUS_SUCCESS);
    REQUIRE(cudnnCreateFilterDescriptor(&w) == CUDNN_STATUS_SUCCESS);
    REQUIRE(cudnnCreateConvolutionDescriptor(&conv) == CUDNN_STATUS_SUCCESS);
    const int first = three_d ? 0 : 1;
    std::vector<int> xd{int(g.batch), int(g.in_channels)}, yd{int(g.batch), int(g.out_channels)},
        wd{int(g.out_channels), int(g.in_channels)}, pad, stride;
    for (int a = first; a < 3; ++a) {
      xd.push_back(int(g.input[a]));
      yd.push_back(int(g.output[a]));
      wd.push_back(int(g.kernel[a]));
      pad.push_back(int(g.padding[a]));
      stride.push_back(int(g.stride[a]));
    }
    if (dilation.empty()) dilation.assign(pad.size(), 1);
    REQUIRE(cudnnSetTensorNdDescriptor(x, CUDNN_DATA_DOUBLE, int(xd.size()), xd.data(), packed_strides(xd).data()) ==
            CUDNN_STATUS_SUCCESS);
    REQUIRE(cudnnSetTensorNdDescriptor(y, CUDNN_DATA_DOUBLE, int(yd.size()), yd.data(), packed_strides(yd).data()) ==
            CUDNN_STATUS_SUCCESS);
    REQUIRE(cudnnSetFilterNdDescriptor(w, CUDNN_DATA_DOUBLE, CUDNN_TENSOR_NCHW, int(wd.size()), wd.data()) ==
            CUDNN_STATUS_SUCCESS);
    REQUIRE(cudnnSetConvolutionNdDescriptor(conv, int(pad.size()), pad.data(), stride.data(), dilation.data(), mode,
                                            CUDNN_DATA_DOUBLE) == CUDNN_STATUS_SUCCESS);
  }
  ~Conv() {
    cudnnDestroyConvolutionDescriptor(conv);
    cudnnDestroyFilterDescriptor(w);
    cudnnDestroyTensorDescriptor(y);
    cudnnDestroyTensorDescriptor(x);
    cudnnDestroy(h);
  }
  std::size_t x_size() const { return std::size_t(g.batch * g.in_channels * kernels::volume(g.input)); }
  std::size_t y_size() const { return std::size_t(g.batch * g.out_channels * kernels::volume(g.output)); }
  std::size_t w_size() const { return std::size_t(g.out_channels * g.in_channels * kernels::volume(g.kernel)); }
  std::vector<double> forward(const std::vector<double>& xv, const std::vector<double>& wv) const {
    DeviceArray<double> dx(xv), dw(wv), dy(y_size());
    const double one = 1, zero = 0;
    REQUIRE(cudnnConvolutionForward(h, &one, x, dx.get(), w, dw.get(), conv, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                                    nullptr, 0, &zero, y, dy.get()) == CUDNN_STATUS_SUCCESS);
    return dy.host();
  }
};

void require_close(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(std::abs(got[i] - want[i]) < 1e-10 * (1 + std::abs(want[i])));
}

kernels::ConvGeometry geometry(int64_t batch, int64_t cin, int64_t cout, kernels::Extent3 input,
                               kernels::Extent3 kernel, kernels::Extent3 stride, kernels::Extent3 padding,
                               kernels::Extent3 output) {
  kernels::ConvGeometry g;
  g.batch = batch;
  g.in_channels = cin;
  g.out_channels = cout;
  g.input = input;
  g.kernel = kernel;
  g.stride = stride;
  g.padding = padding;
  g.output = output;
  return g;
}

kernels::ConvGeometry geometry_2d() {
  return geometry(2, 3, 4, {1, 9, 7}, {1, 3, 3}, {1, 2, 1}, {0, 1, 2}, {1, 5, 9});
}

kernels::ConvGeometry geometry_3d() {
  return geometry(1, 2, 3, {5, 6, 4}, {3, 3, 2}, {2, 1, 1}, {1, 1, 0}, {3, 6, 3});
}

}  // namespace

TEST_CASE("emulated cuDNN: the three directions agree with the CPU backend, alpha and beta included", "[emulator]") {
  for (bool three_d : {false, true}) {
    INFO((three_d ? "3D" : "2D"));
    const Conv c(three_d ? geometry_3d() : geometry_2d(), three_d);
    const std::vector<double> x = random_values(c.x_size(), 1), w = random_values(c.w_size(), 2),
                              dy = random_values(c.y_size(), 3), prior = random_values(c.w_size(), 4);
    std::vector<double> ws(std::size_t(kernels::cpu::conv_workspace_elements(c.g)));
    std::vector<double> y_cpu(c.y_size()), dx_cpu(c.x_size()), dw_cpu = prior;
    kernels::cpu::conv_forward<double>(c.g, x.data(), w.data(), nullptr, y_cpu.data(), ws.data());
    kernels::cpu::conv_backward_input<double>(c.g, dy.data(), w.data(), dx_cpu.data(), ws.data(), false);
    kernels::cpu::conv_backward_weight<double>(c.g, x.data(), dy.data(), dw_cpu.data(), nullptr, ws.data(), true);

    require_close(c.forward(x, w), y_cpu);
    DeviceArray<double> dx(c.x_size()), dw(prior), dev_x(x), dev_w(w), dev_dy(dy);
    const double one = 1, zero = 0, two = 2;
    REQUIRE(cudnnConvolutionBackwardData(c.h, &one, c.w, dev_w.get(), c.y, dev_dy.get(), c.conv,
                                         CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, nullptr, 0, &zero, c.x,
                                         dx.get()) == CUDNN_STATUS_SUCCESS);
    require_close(dx.host(), dx_cpu);
    // dw = 2 * (J^T dy) + 1 * prior: the CPU accumulated once onto prior; scale the difference.
    REQUIRE(cudnnConvolutionBackwardFilter(c.h, &two, c.x, dev_x.get(), c.y, dev_dy.get(), c.conv,
                                           CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, nullptr, 0, &one, c.w,
                                           dw.get()) == CUDNN_STATUS_SUCCESS);
    std::vector<double> want(c.w_size());
    for (std::size_t i = 0; i < want.size(); ++i) want[i] = 2 * (dw_cpu[i] - prior[i]) + prior[i];
    require_close(dw.host(), want);
  }
}

TEST_CASE("emulated cuDNN: dilation equals a filter with zeros inserted, convolution a mirrored filter", "[emulator]") {
  kernels::ConvGeometry g = geometry_2d();
  g.stride = {1, 1, 1};
  g.padding = {0, 2, 1};
  g.output = {1, 9 + 4 - 5 + 1, 7 + 2 - 3 + 1};  // dilation (2, 1): the 3x3 filter spans 5x3
  const Conv dilated(g, false, {2, 1});
  kernels::ConvGeometry wide = g;
  wide.kernel = {1, 5, 3};
  const Conv plain(wide, false);
  const std::vector<double> x = random_values(dilated.x_size(), 5), w = random_values(dilated.w_size(), 6);
  std::vector<double> w_wide(plain.w_size(), 0.0);
  for (std::size_t kc = 0; kc < std::size_t(g.out_channels * g.in_channels); ++kc)
    for (int r = 0; r < 3; ++r)
      for (int s = 0; s < 3; ++s) w_wide[kc * 15 + (2 * r) * 3 + s] = w[kc * 9 + r * 3 + s];
  require_close(dilated.forward(x, w), plain.forward(x, w_wide));

  const Conv convolution(geometry_2d(), false, {}, CUDNN_CONVOLUTION);
  const Conv correlation(geometry_2d(), false);
  std::vector<double> w_mirror(w.size());
  for (std::size_t kc = 0; kc < w.size() / 9; ++kc)
    for (int t = 0; t < 9; ++t) w_mirror[kc * 9 + t] = w[kc * 9 + 8 - t];
  const std::vector<double> x2 = random_values(convolution.x_size(), 7);
  require_close(convolution.forward(x2, w), correlation.forward(x2, w_mirror));
}

TEST_CASE("emulated cuDNN: ranked heuristics, workspaces and refusals", "[emulator]") {
  const Conv c(geometry_2d(), false);
  int count = 0;
  REQUIRE(cudnnGetConvolutionBackwardFilterAlgorithmMaxCount(c.h, &count) == CUDNN_STATUS_SUCCESS);
  std::vector<cudnnConvolutionBwdFilterAlgoPerf_t> perf(static_cast<std::size_t>(count));
  int returned = 0;
  REQUIRE(cudnnGetConvolutionBackwardFilterAlgorithm_v7(c.h, c.x, c.y, c.conv, c.w, count, &returned, perf.data()) ==
          CUDNN_STATUS_SUCCESS);
  REQUIRE(returned == count);
  // The best ranked is non-deterministic (a caller must filter); later entries are not offered.
  CHECK(perf[0].status == CUDNN_STATUS_SUCCESS);
  CHECK(perf[0].determinism == CUDNN_NON_DETERMINISTIC);
  CHECK(perf[1].determinism == CUDNN_DETERMINISTIC);
  CHECK(perf[std::size_t(returned) - 1].status == CUDNN_STATUS_NOT_SUPPORTED);
  std::size_t bytes = 0;
  REQUIRE(cudnnGetConvolutionForwardWorkspaceSize(c.h, c.x, c.w, c.conv, c.y, CUDNN_CONVOLUTION_FWD_ALGO_GEMM,
                                                  &bytes) == CUDNN_STATUS_SUCCESS);
  CHECK(bytes > 0);
  CHECK(cudnnGetConvolutionForwardWorkspaceSize(c.h, c.x, c.w, c.conv, c.y, CUDNN_CONVOLUTION_FWD_ALGO_FFT, &bytes) ==
        CUDNN_STATUS_NOT_SUPPORTED);

  DeviceArray<double> x(c.x_size()), w(c.w_size()), y(c.y_size()), ws(16);
  const double one = 1, zero = 0;
  // A workspace smaller than the algorithm needs.
  CHECK(cudnnConvolutionForward(c.h, &one, c.x, x.get(), c.w, w.get(), c.conv, CUDNN_CONVOLUTION_FWD_ALGO_GEMM,
                                ws.get(), 16 * sizeof(double), &zero, c.y, y.get()) == CUDNN_STATUS_BAD_PARAM);
  CHECK_THAT(std::string(cudnnGetErrorString(CUDNN_STATUS_BAD_PARAM)), Catch::Contains("bytes of workspace"));
  // An output of the wrong shape.
  cudnnTensorDescriptor_t bad = nullptr;
  REQUIRE(cudnnCreateTensorDescriptor(&bad) == CUDNN_STATUS_SUCCESS);
  const std::vector<int> dims{2, 4, 5, 8};
  REQUIRE(cudnnSetTensorNdDescriptor(bad, CUDNN_DATA_DOUBLE, 4, dims.data(), packed_strides(dims).data()) ==
          CUDNN_STATUS_SUCCESS);
  CHECK(cudnnConvolutionForward(c.h, &one, c.x, x.get(), c.w, w.get(), c.conv, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                                nullptr, 0, &zero, bad, y.get()) == CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH);
  cudnnDestroyTensorDescriptor(bad);
  // Grouped convolutions and tensor-op math are not emulated.
  REQUIRE(cudnnSetConvolutionGroupCount(c.conv, 2) == CUDNN_STATUS_SUCCESS);
  CHECK(cudnnConvolutionForward(c.h, &one, c.x, x.get(), c.w, w.get(), c.conv, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                                nullptr, 0, &zero, c.y, y.get()) == CUDNN_STATUS_NOT_SUPPORTED);
  REQUIRE(cudnnSetConvolutionGroupCount(c.conv, 1) == CUDNN_STATUS_SUCCESS);
  REQUIRE(cudnnSetConvolutionMathType(c.conv, CUDNN_TENSOR_OP_MATH) == CUDNN_STATUS_SUCCESS);
  CHECK(cudnnConvolutionForward(c.h, &one, c.x, x.get(), c.w, w.get(), c.conv, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                                nullptr, 0, &zero, c.y, y.get()) == CUDNN_STATUS_NOT_SUPPORTED);
  // A host pointer where device memory belongs.
  REQUIRE(cudnnSetConvolutionMathType(c.conv, CUDNN_FMA_MATH) == CUDNN_STATUS_SUCCESS);
  std::vector<double> host(c.x_size());
  CHECK(cudnnConvolutionForward(c.h, &one, c.x, host.data(), c.w, w.get(), c.conv,
                                CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, nullptr, 0, &zero, c.y,
                                y.get()) == CUDNN_STATUS_BAD_PARAM);
}

TEST_CASE("emulated cuDNN: float data must ask for FMA math, where TF32 cannot be used", "[emulator]") {
  cudnnHandle_t h = nullptr;
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  REQUIRE(cudnnCreate(&h) == CUDNN_STATUS_SUCCESS);
  REQUIRE(cudnnCreateTensorDescriptor(&x) == CUDNN_STATUS_SUCCESS);
  REQUIRE(cudnnCreateTensorDescriptor(&y) == CUDNN_STATUS_SUCCESS);
  REQUIRE(cudnnCreateFilterDescriptor(&w) == CUDNN_STATUS_SUCCESS);
  REQUIRE(cudnnCreateConvolutionDescriptor(&conv) == CUDNN_STATUS_SUCCESS);
  const std::vector<int> dims{1, 1, 4, 4}, wdims{1, 1, 1, 1}, pad{0, 0}, stride{1, 1}, dil{1, 1};
  REQUIRE(cudnnSetTensorNdDescriptor(x, CUDNN_DATA_FLOAT, 4, dims.data(), packed_strides(dims).data()) ==
          CUDNN_STATUS_SUCCESS);
  REQUIRE(cudnnSetTensorNdDescriptor(y, CUDNN_DATA_FLOAT, 4, dims.data(), packed_strides(dims).data()) ==
          CUDNN_STATUS_SUCCESS);
  REQUIRE(cudnnSetFilterNdDescriptor(w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, 4, wdims.data()) == CUDNN_STATUS_SUCCESS);
  REQUIRE(cudnnSetConvolutionNdDescriptor(conv, 2, pad.data(), stride.data(), dil.data(), CUDNN_CROSS_CORRELATION,
                                          CUDNN_DATA_FLOAT) == CUDNN_STATUS_SUCCESS);
  DeviceArray<float> dx(std::vector<float>(16, 2.0f)), dw(std::vector<float>{3.0f}), dy(16);
  const float one = 1, zero = 0;
  CHECK(cudnnConvolutionForward(h, &one, x, dx.get(), w, dw.get(), conv, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                                nullptr, 0, &zero, y, dy.get()) == CUDNN_STATUS_NOT_SUPPORTED);
  CHECK_THAT(std::string(cudnnGetErrorString(CUDNN_STATUS_NOT_SUPPORTED)), Catch::Contains("TF32"));
  REQUIRE(cudnnSetConvolutionMathType(conv, CUDNN_FMA_MATH) == CUDNN_STATUS_SUCCESS);
  REQUIRE(cudnnConvolutionForward(h, &one, x, dx.get(), w, dw.get(), conv, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM,
                                  nullptr, 0, &zero, y, dy.get()) == CUDNN_STATUS_SUCCESS);
  for (float v : dy.host()) CHECK(v == 6.0f);
  cudnnDestroyConvolutionDescriptor(conv);
  cudnnDestroyFilterDescriptor(w);
  cudnnDestroyTensorDescriptor(y);
  cudnnDestroyTensorDescriptor(x);
  cudnnDestroy(h);
}
