// Conv kernel benchmark on the CPU through the engine's kernels (the same code the ops run):
// forward, and backward = input gradient + weight/bias gradient.
#include "bench/conv_bench.hpp"

#include <fmt/format.h>
#include <omp.h>

#include "bench/timing.hpp"
#include "engine/tensor/factory.hpp"
#include "kernels/cpu/conv.hpp"

namespace revgan::bench {

std::vector<ConvCase> default_conv_cases() {
  return {{"core_3x3_64ch_32x32", 64, 64, 32, 32, 3, 1, 1},
          {"stem_7x7_3to32_128x128", 3, 32, 134, 134, 7, 1, 0}};
}

void run_conv_bench(const std::vector<ConvCase>& cases, int warmup, int runs) {
  Generator gen(1);
  fmt::print("{:<26} {:>8} {:>11} {:>9}   threads {}\n", "case", "pass", "median ms", "GFLOP/s",
             omp_get_max_threads());
  for (const auto& c : cases) {
    kernels::ConvGeometry g;
    g.batch = 1;
    g.in_channels = c.cin;
    g.out_channels = c.cout;
    g.input = {1, c.h, c.w};
    g.kernel = {1, c.k, c.k};
    g.stride = {1, c.stride, c.stride};
    g.padding = {0, c.pad, c.pad};
    g.output = {1, (c.h + 2 * c.pad - c.k) / c.stride + 1, (c.w + 2 * c.pad - c.k) / c.stride + 1};
    Tensor x = randn({1, c.cin, c.h, c.w}, gen);
    Tensor w = randn({c.cout, c.cin, c.k, c.k}, gen, 0, 0.02);
    Tensor b = randn({c.cout}, gen);
    Tensor y = Tensor::empty({1, c.cout, g.output[1], g.output[2]});
    Tensor dx = Tensor::empty(x.shape()), dw = Tensor::empty(w.shape()), db = Tensor::empty(b.shape());
    Tensor ws = Tensor::empty({std::max<int64_t>(1, kernels::cpu::conv_workspace_elements(g))});
    const double flops = 2.0 * c.cout * c.cin * c.k * c.k * g.output[1] * g.output[2];
    auto forward = time_runs(
        [&] { kernels::cpu::conv_forward<float>(g, x.data<float>(), w.data<float>(), b.data<float>(), y.data<float>(),
                                                ws.data<float>()); },
        warmup, runs);
    auto backward = time_runs(
        [&] {
          kernels::cpu::conv_backward_input<float>(g, y.data<float>(), w.data<float>(), dx.data<float>(),
                                                   ws.data<float>(), false);
          kernels::cpu::conv_backward_weight<float>(g, x.data<float>(), y.data<float>(), dw.data<float>(),
                                                    db.data<float>(), ws.data<float>(), false);
        },
        warmup, runs);
    for (auto [pass, t, f] : {std::tuple{"forward", forward, flops}, std::tuple{"backward", backward, 2 * flops}}) {
      fmt::print("{:<26} {:>8} {:>11.3f} {:>9.1f}\n", c.name, pass, t.median_s * 1e3, f / t.median_s * 1e-9);
      fmt::print("{{\"bench\":\"conv\",\"engine\":\"revgan\",\"case\":\"{}\",\"pass\":\"{}\",\"median_ms\":{:.4f},"
                 "\"min_ms\":{:.4f},\"max_ms\":{:.4f},\"gflops\":{:.2f},\"threads\":{}}}\n",
                 c.name, pass, t.median_s * 1e3, t.min_s * 1e3, t.max_s * 1e3, f / t.median_s * 1e-9,
                 omp_get_max_threads());
    }
  }
}

}  // namespace revgan::bench
