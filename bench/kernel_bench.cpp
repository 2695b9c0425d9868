// The kernel benchmark: peaks first, then every case forward and backward.
#include "bench/kernel_bench.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bench/timing.hpp"
#include "engine/core/check.hpp"
#include "engine/ops/cpu_conv_backend.hpp"
#include "engine/tensor/factory.hpp"
#include "kernels/cpu/conv.hpp"
#include "kernels/cpu/conv_transpose.hpp"
#include "kernels/cpu/conv_narrow.hpp"
#include "kernels/cpu/im2col.hpp"
#include "kernels/cpu/instance_norm.hpp"
#include "kernels/cpu/onednn_conv.hpp"
#include "kernels/cpu/onednn_conv_transpose.hpp"
#include "kernels/cpu/pad.hpp"

namespace revgan::bench {

namespace {

namespace cpu = kernels::cpu;

struct Peaks {
  double gflops = 0;  // sgemm 2048^3
  double gbps = 0;    // memcpy of 256 MiB (DRAM), read + write
};

// memcpy of `bytes` split across the OpenMP threads, in GB/s counting read + write.
double copy_gbps(int64_t bytes, int warmup, int runs) {
  std::vector<char> src(static_cast<std::size_t>(bytes), 1), dst(static_cast<std::size_t>(bytes), 0);
  const Timing copy = time_runs(
      [&] {
#pragma omp parallel
        {
          const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
          const int64_t lo = bytes * t / nt, hi = bytes * (t + 1) / nt;
          std::memcpy(dst.data() + lo, src.data() + lo, static_cast<std::size_t>(hi - lo));
        }
      },
      std::max(1, warmup), std::max(3, runs));
  return 2.0 * static_cast<double>(bytes) / copy.median_s * 1e-9;
}

Peaks measure_peaks(int warmup, int runs) {
  Generator gen(5);
  const int64_t n = 2048;
  Tensor a = randn({n, n}, gen), b = randn({n, n}, gen), c = Tensor::empty({n, n});
  // The kernels' way to use the threads: the GEMM is serial (kernels/cpu/im2col.cpp), each
  // thread of one team multiplies its share of c's columns.
  const Timing gemm = time_runs(
      [&] {
#pragma omp parallel
        {
          const int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
          const int64_t lo = n * t / nt, hi = n * (t + 1) / nt;
          cpu::detail::gemm(false, false, n, hi - lo, n, 1.0f, a.data<float>(), n, b.data<float>() + lo, n, 0.0f,
                            c.data<float>() + lo, n);
        }
      },
      1, std::max(3, runs / 4));
  const double dram = copy_gbps(int64_t{256} << 20, warmup, std::max(3, runs / 4));
  return {2.0 * static_cast<double>(n * n * n) / gemm.median_s * 1e-9, dram};
}

struct Case {
  std::string kernel, shape, pass;
  bool compute_bound;  // GFLOP/s against the GEMM peak, else GB/s against the copy peak
  double work;         // FLOPs or bytes per run
  std::function<void()> body;
};

kernels::ConvGeometry conv_geometry(int64_t cin, int64_t cout, int64_t h, int64_t w, int64_t k, int64_t stride,
                                    int64_t pad, bool transposed) {
  kernels::ConvGeometry g;
  g.in_channels = cin;
  g.out_channels = cout;
  g.input = {1, h, w};
  g.kernel = {1, k, k};
  g.stride = {1, stride, stride};
  g.padding = {0, pad, pad};
  if (transposed) {
    g.output_padding = {0, stride - 1, stride - 1};
    g.output = {1, (h - 1) * stride - 2 * pad + k + stride - 1, (w - 1) * stride - 2 * pad + k + stride - 1};
  } else {
    g.output = {1, (h + 2 * pad - k) / stride + 1, (w + 2 * pad - k) / stride + 1};
  }
  return g;
}

#ifdef REVGAN_WITH_ONEDNN
struct ConvBuffers {
  float *x, *w, *b, *y, *dx, *dw, *db;
};

// The same (transposed) conv through the oneDNN backend, pass by pass as the op runs it: oneDNN
// where it suits the pass, else the narrow kernel or im2col (named in the row), and the bias gradient as
// the op sums it. Transposed convs get a backward row only.
void add_onednn_conv(std::vector<Case>& cases, std::vector<Tensor>& keep, const std::string& name,
                     const std::string& shape, const kernels::ConvGeometry& g, bool transposed, double flops,
                     ConvBuffers p) {
  namespace dnn = cpu::onednn;
  using dnn::ConvPass;
  int64_t floats = 0;
  {
    const ops::CpuConvBackendScope onednn(ops::CpuConvBackend::onednn);
    for (ops::ConvPasses passes : {ops::ConvPasses::forward, ops::ConvPasses::backward_both})
      floats = std::max(floats, transposed ? ops::cpu_conv_transpose_workspace_elements(g, DType::float32, passes)
                                           : ops::cpu_conv_workspace_elements(g, DType::float32, passes, true));
  }
  Tensor ws = Tensor::empty({floats});
  keep.push_back(ws);
  float* wsp = ws.data<float>();
  auto checked = [](const dnn::Status& st) { REVGAN_CHECK(st.ok(), "bench kernels: {}", st.message); };
  auto suits = [&](ConvPass pass) { return transposed ? dnn::suits_transposed(g, pass) : dnn::suits(g, pass); };
  const bool fwd = suits(ConvPass::forward), bin = suits(ConvPass::backward_input), bw = suits(ConvPass::backward_weight);
  // A transposed conv's forward never runs in oneDNN (ops::cpu_conv_transpose_uses_onednn), so
  // its im2col row above is the whole story and is not timed again.
  bool narrow = false, narrow_dw = false;
  if (!transposed) {
    const ops::CpuConvBackendScope onednn(ops::CpuConvBackend::onednn);
    narrow = ops::cpu_conv_uses_narrow(g, DType::float32, ConvPass::forward);
    narrow_dw = ops::cpu_conv_uses_narrow(g, DType::float32, ConvPass::backward_weight);
  }
  if (!transposed) {
    const std::string tail = fwd ? "" : (narrow ? " (narrow)" : " (im2col)");
    cases.push_back({name + "[onednn]", shape, "forward" + tail, true, flops, [=] {
                       if (fwd) checked(dnn::conv_forward(g, p.x, p.w, p.b, p.y, wsp));
                       else if (narrow) cpu::narrow_conv_forward(g, p.x, p.w, p.b, p.y);
                       else cpu::conv_forward<float>(g, p.x, p.w, p.b, p.y, wsp);
                     }});
  }
  std::string mix = bin || bw ? " (mixed)" : " (im2col)";
  if (bin && bw) mix = "";
  if (narrow_dw) mix = bin ? " (dw narrow)" : " (dx im2col, dw narrow)";
  if (!transposed && bin && bw && dnn::winograd_suits(g, ConvPass::backward_input)) mix = " (winograd)";
  cases.push_back({name + "[onednn]", shape, "backward" + mix, true, 2 * flops, [=] {
                     if (transposed) {
                       if (bin) checked(dnn::conv_transpose_backward_input(g, p.y, p.w, p.dx, wsp));
                       else cpu::conv_transpose_backward_input<float>(g, p.y, p.w, p.dx, wsp, false);
                     } else {
                       if (bin) checked(dnn::conv_backward_input(g, p.y, p.w, p.dx, wsp));
                       else cpu::conv_backward_input<float>(g, p.y, p.w, p.dx, wsp, false);
                     }
                     if (bw) {
                       checked(transposed ? dnn::conv_transpose_backward_weight(g, p.x, p.y, p.dw, wsp)
                                          : dnn::conv_backward_weight(g, p.x, p.y, p.dw, wsp));
                       cpu::conv_bias_backward<float>(g, p.y, p.db);
                     } else if (narrow_dw) {
                       cpu::narrow_conv_backward_weight(g, p.x, p.y, p.dw, false);
                       cpu::conv_bias_backward<float>(g, p.y, p.db);
                     } else if (transposed) {
                       cpu::conv_transpose_backward_weight<float>(g, p.x, p.y, p.dw, p.db, wsp, false);
                     } else {
                       cpu::conv_backward_weight<float>(g, p.x, p.y, p.dw, p.db, wsp, false);
                     }
                   }});
}
#endif

// Forward and backward (input + weight + bias gradients) cases of one (transposed) conv; the
// tensors live in `keep` for as long as the cases run.
void add_conv(std::vector<Case>& cases, std::vector<Tensor>& keep, Generator& gen, const std::string& name,
              const kernels::ConvGeometry& g, bool transposed) {
  const int64_t kk = g.kernel[1] * g.kernel[2];
  Tensor x = randn({1, g.in_channels, g.input[1], g.input[2]}, gen);
  Tensor w = transposed ? randn({g.in_channels, g.out_channels, g.kernel[1], g.kernel[2]}, gen, 0, 0.02)
                        : randn({g.out_channels, g.in_channels, g.kernel[1], g.kernel[2]}, gen, 0, 0.02);
  Tensor b = randn({g.out_channels}, gen);
  Tensor y = randn({1, g.out_channels, g.output[1], g.output[2]}, gen);
  Tensor dx = Tensor::empty(x.shape()), dw = Tensor::empty(w.shape()), db = Tensor::empty(b.shape());
  const int64_t ws_elements =
      transposed ? cpu::conv_transpose_workspace_elements(g) : cpu::conv_workspace_elements(g);
  Tensor ws = Tensor::empty({std::max<int64_t>(1, ws_elements)});
  keep.insert(keep.end(), {x, w, b, y, dx, dw, db, ws});
  // MACs: every (input position, tap, output channel) for transposed, every (output
  // position, tap, input channel) for conv.
  const double positions = transposed ? static_cast<double>(g.input[1] * g.input[2]) : static_cast<double>(g.output[1] * g.output[2]);
  const double flops = 2.0 * static_cast<double>(g.in_channels * g.out_channels * kk) * positions;
  const std::string shape = fmt::format("{}x{}x{} -> {}x{}x{}, {}x{} s{}", g.in_channels, g.input[1], g.input[2],
                                        g.out_channels, g.output[1], g.output[2], g.kernel[1], g.kernel[2], g.stride[1]);
  float *xp = x.data<float>(), *wp = w.data<float>(), *bp = b.data<float>(), *yp = y.data<float>();
  float *dxp = dx.data<float>(), *dwp = dw.data<float>(), *dbp = db.data<float>(), *wsp = ws.data<float>();
  if (transposed) {
    cases.push_back({name, shape, "forward", true, flops,
                     [=] { cpu::conv_transpose_forward<float>(g, xp, wp, bp, yp, wsp); }});
    cases.push_back({name, shape, "backward", true, 2 * flops,
                     [=] { cpu::conv_transpose_backward<float>(g, xp, yp, wp, dxp, dwp, dbp, wsp, false); }});
#ifdef REVGAN_WITH_ONEDNN
    add_onednn_conv(cases, keep, name, shape, g, true, flops, {xp, wp, bp, yp, dxp, dwp, dbp});
#endif
  } else {
    cases.push_back({name, shape, "forward", true, flops, [=] { cpu::conv_forward<float>(g, xp, wp, bp, yp, wsp); }});
    cases.push_back({name, shape, "backward", true, 2 * flops, [=] {
                       cpu::conv_backward_input<float>(g, yp, wp, dxp, wsp, false);
                       cpu::conv_backward_weight<float>(g, xp, yp, dwp, dbp, wsp, false);
                     }});
#ifdef REVGAN_WITH_ONEDNN
    add_onednn_conv(cases, keep, name, shape, g, false, flops, {xp, wp, bp, yp, dxp, dwp, dbp});
#endif
  }
}

void add_pad(std::vector<Case>& cases, std::vector<Tensor>& keep, Generator& gen, int64_t c, int64_t h, int64_t w,
             int64_t p) {
  kernels::PadGeometry g;
  g.planes = c;
  g.input = {1, h, w};
  g.output = {1, h + 2 * p, w + 2 * p};
  g.pad_before = {0, p, p};
  Tensor x = randn({c, h, w}, gen), y = randn({c, h + 2 * p, w + 2 * p}, gen), dx = Tensor::empty(x.shape());
  keep.insert(keep.end(), {x, y, dx});
  const double bytes = 4.0 * static_cast<double>(x.numel() + y.numel());  // read one side, write the other
  const std::string shape = fmt::format("{}x{}x{} pad {}", c, h, w, p);
  float *xp = x.data<float>(), *yp = y.data<float>(), *dxp = dx.data<float>();
  cases.push_back({"reflection_pad", shape, "forward", false, bytes,
                   [=] { cpu::pad_forward<float>(g, kernels::PadMode::reflect, xp, yp); }});
  cases.push_back({"reflection_pad", shape, "backward", false, bytes,
                   [=] { cpu::pad_backward<float>(g, kernels::PadMode::reflect, yp, dxp, false); }});
}

void add_norm(std::vector<Case>& cases, std::vector<Tensor>& keep, Generator& gen, int64_t c, int64_t h, int64_t w) {
  kernels::NormGeometry g;
  g.instances = c;
  g.spatial = h * w;
  Tensor x = randn({c, h * w}, gen), y = Tensor::empty(x.shape()), dy = randn(x.shape(), gen),
         dx = Tensor::empty(x.shape()), mean = Tensor::empty({c}), invstd = Tensor::empty({c});
  keep.insert(keep.end(), {x, y, dy, dx, mean, invstd});
  const double plane = 4.0 * static_cast<double>(x.numel());
  const std::string shape = fmt::format("{}x{}x{}", c, h, w);
  float *xp = x.data<float>(), *yp = y.data<float>(), *dyp = dy.data<float>(), *dxp = dx.data<float>();
  float *mp = mean.data<float>(), *sp = invstd.data<float>();
  // Minimal traffic: forward reads x and writes y; backward reads y and dy and writes dx.
  cases.push_back({"instance_norm", shape, "forward", false, 2 * plane,
                   [=] { cpu::instance_norm_forward<float>(g, 1e-5, xp, yp, mp, sp); }});
  cases.push_back({"instance_norm", shape, "backward", false, 3 * plane,
                   [=] { cpu::instance_norm_backward<float>(g, yp, sp, dyp, dxp, false); }});
}

}  // namespace

void run_kernel_bench(int warmup, int runs) {
  const int threads = omp_get_max_threads();
  const Peaks peaks = measure_peaks(warmup, runs);
  fmt::print("peaks, {} thread(s): sgemm 2048^3 {:.1f} GFLOP/s, memcpy 256 MiB {:.1f} GB/s (read + write)\n", threads,
             peaks.gflops, peaks.gbps);
  fmt::print("{{\"bench\":\"kernels\",\"engine\":\"revgan\",\"kernel\":\"peak\",\"gemm_gflops\":{:.2f},"
             "\"copy_gbps\":{:.2f},\"threads\":{}}}\n",
             peaks.gflops, peaks.gbps, threads);

  Generator gen(9);
  std::vector<Tensor> keep;
  std::vector<Case> cases;
  // RevGAN K = 32 at 128x128: encoder, core (after its reflection pad), decoder; with oneDNN each
  // (transposed) conv is timed twice in a row, on the im2col kernels and as the oneDNN backend runs it.
  add_conv(cases, keep, gen, "conv", conv_geometry(3, 32, 134, 134, 7, 1, 0, false), false);
  add_conv(cases, keep, gen, "conv", conv_geometry(32, 64, 128, 128, 3, 2, 1, false), false);
  add_conv(cases, keep, gen, "conv", conv_geometry(64, 128, 64, 64, 3, 2, 1, false), false);
  add_conv(cases, keep, gen, "conv", conv_geometry(64, 64, 34, 34, 3, 1, 0, false), false);
  add_conv(cases, keep, gen, "conv", conv_geometry(128, 128, 34, 34, 3, 1, 0, false), false);  // CycleGAN's core
  add_conv(cases, keep, gen, "conv", conv_geometry(116, 116, 34, 34, 3, 1, 0, false), false);  // RevGAN K=58's core
  add_conv(cases, keep, gen, "conv_transpose", conv_geometry(128, 64, 32, 32, 3, 2, 1, true), true);
  add_conv(cases, keep, gen, "conv_transpose", conv_geometry(64, 32, 64, 64, 3, 2, 1, true), true);
  add_conv(cases, keep, gen, "conv", conv_geometry(32, 3, 134, 134, 7, 1, 0, false), false);
  add_pad(cases, keep, gen, 64, 32, 32, 1);
  add_pad(cases, keep, gen, 32, 128, 128, 3);
  add_norm(cases, keep, gen, 32, 128, 128);
  add_norm(cases, keep, gen, 64, 64, 64);
  add_norm(cases, keep, gen, 64, 32, 32);

  fmt::print("{:<22} {:<32} {:>17} {:>10} {:>14} {:>8}\n", "kernel", "shape", "pass", "median ms", "rate", "of peak");
  for (const Case& c : cases) {
    const Timing t = time_runs(c.body, warmup, runs);
    const double rate = c.work / t.median_s * 1e-9;
    // Memory-bound kernels whose data fits in cache beat a DRAM-sized copy, so they are set
    // against a copy of their own traffic (half read, half written), timed right here.
    const double peak = c.compute_bound ? peaks.gflops : copy_gbps(static_cast<int64_t>(c.work / 2), warmup, runs);
    fmt::print("{:<22} {:<32} {:>17} {:>10.3f} {:>8.1f} {:<5} {:>7.0f}%\n", c.kernel, c.shape, c.pass, t.median_s * 1e3,
               rate, c.compute_bound ? "GF/s" : "GB/s", 100.0 * rate / peak);
    fmt::print("{{\"bench\":\"kernels\",\"engine\":\"revgan\",\"kernel\":\"{}\",\"shape\":\"{}\",\"pass\":\"{}\","
               "\"median_ms\":{:.4f},\"min_ms\":{:.4f},\"max_ms\":{:.4f},\"{}\":{:.2f},\"fraction_of_peak\":{:.3f},"
               "\"threads\":{}}}\n",
               c.kernel, c.shape, c.pass, t.median_s * 1e3, t.min_s * 1e3, t.max_s * 1e3,
               c.compute_bound ? "gflops" : "gbps", rate, rate / peak, threads);
  }
}

}  // namespace revgan::bench
