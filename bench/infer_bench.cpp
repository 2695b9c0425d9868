// bench infer: random-weight RevGAN (ngf, depth), a uniform random input, one forward per run;
// peaks from the CPU allocator (live bytes) and getrusage (max RSS of the process); the CPU time
// of the whole process (all threads), so that a loaded machine's waiting is left out.
#include "bench/infer_bench.hpp"

#include <fmt/format.h>
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/timing.hpp"
#include "engine/autograd/grad_mode.hpp"
#include "engine/core/check.hpp"
#include "engine/core/cpu_usage.hpp"
#include "engine/core/option_table.hpp"
#include "engine/memory/allocator.hpp"
#include "engine/streaming/streamed_run.hpp"
#include "engine/streaming/whole_estimate.hpp"
#include "engine/tensor/random.hpp"
#include "models/generator_program.hpp"
#include "models/revgan2d.hpp"

namespace revgan::bench {

namespace {

struct InferOptions {
  int64_t size = 0, height = 1024, width = 1024, ngf = 32, depth = 6, tile = 512, runs = 1;
  std::string mode = "estimate";  // whole | tiled | estimate
  double store = streaming::StreamOptions{}.store_factor;
};

const OptionTable<InferOptions>& infer_option_table() {
  static const OptionTable<InferOptions> table({
      {"size", &InferOptions::size, "image side (sets --height and --width)", "1024", "N"},
      {"height", &InferOptions::height, "image height (a multiple of 4)", nullptr, "H"},
      {"width", &InferOptions::width, "image width (a multiple of 4)", nullptr, "W"},
      {"ngf", &InferOptions::ngf, "generator width", nullptr, "K"},
      {"depth", &InferOptions::depth, "reversible blocks", nullptr, "R"},
      {"tile", &InferOptions::tile, "tile side of --mode tiled", nullptr, "N"},
      {"runs", &InferOptions::runs, "timed runs (the median is reported)", nullptr, "N"},
      {"mode", &InferOptions::mode, "whole | tiled | estimate (estimate: no run)", nullptr, "M"},
      {"store", &InferOptions::store, "StreamOptions::store_factor", nullptr, "F"},
  });
  return table;
}

InferOptions parse(int argc, char** argv) {
  const auto parsed = infer_option_table().parse(std::vector<std::string>(argv + 1, argv + argc));
  InferOptions o = parsed.options;
  REVGAN_CHECK(!parsed.help, "bench infer: see bench's usage");
  if (parsed.was_given("size")) {
    if (!parsed.was_given("height")) o.height = o.size;
    if (!parsed.was_given("width")) o.width = o.size;
  }
  REVGAN_CHECK(o.height >= 4 && o.width >= 4 && o.height % 4 == 0 && o.width % 4 == 0,
               "bench infer: sides must be positive multiples of 4, got {}x{}", o.height, o.width);
  REVGAN_CHECK(o.ngf >= 1 && o.depth >= 0 && o.tile >= 1 && o.runs >= 1,
               "bench infer: --ngf, --tile and --runs must be at least 1 and --depth at least 0");
  REVGAN_CHECK(o.mode == "estimate" || o.mode == "whole" || o.mode == "tiled",
               "bench infer: --mode must be estimate, whole or tiled, got '{}'", o.mode);
  return o;
}

int64_t max_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<int64_t>(u.ru_maxrss) * 1024;
}

double gib(int64_t bytes) {
  return static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0);
}

}  // namespace

void print_infer_usage() {
  fmt::print(stderr,
             "usage: bench infer [options]\n"
             "  one AtoB translation with a random-weight RevGAN of a random image: whole-image forward\n"
             "  or exact tiles, time (median of --runs), allocator peak and max RSS; always prints both\n"
             "  memory estimates.\n{}",
             infer_option_table().help_lines(InferOptions{}));
}

int run_infer_command(int argc, char** argv) {
  const InferOptions o = parse(argc, argv);
  models::RevGan2dOptions g;
  g.ngf = o.ngf;
  g.depth = o.depth;
  g.seed = 1;
  models::RevGan2d generator(g);
  generator.eval();
  const streaming::Program program = models::generator_program(generator, true);
  const streaming::Axes extent{1, o.height, o.width};
  streaming::StreamOptions so;
  so.tile = {o.tile, o.tile, o.tile};
  so.store_factor = o.store;
  const int64_t whole_estimate = streaming::estimate_whole_bytes(program, extent);
  const int64_t tiled_estimate = streaming::estimate_streamed_bytes(program, extent, so);
  fmt::print(
      "bench infer: RevGAN {}/{} on {}x{}, {} thread(s): estimated peak whole {:.3f} GiB, tiled ({}) {:.3f} GiB\n",
      o.ngf, o.depth, o.width, o.height, omp_get_max_threads(), gib(whole_estimate), o.tile, gib(tiled_estimate));
  if (o.mode == "estimate") return 0;

  Generator rng(2);
  Tensor x = Tensor::empty(Shape({1, 3, o.height, o.width}));
  {
    float* p = x.data<float>();
    for (int64_t i = 0; i < x.numel(); ++i) p[i] = static_cast<float>(rng.uniform() * 2.0 - 1.0);
  }
  Allocator& a = cpu_allocator();
  a.reset_peak();
  const int64_t before = a.stats().live_bytes;
  std::vector<double> cpu_seconds;
  const Timing t = time_runs(
      [&] {
        const double cpu0 = process_cpu_seconds();
        NoGradScope no_grad;
        const Tensor y = o.mode == "whole" ? generator.g_xy(x) : streaming::run_streamed(program, x, so);
        cpu_seconds.push_back(process_cpu_seconds() - cpu0);
      },
      0, o.runs);
  std::sort(cpu_seconds.begin(), cpu_seconds.end());
  const double cpu = cpu_seconds[cpu_seconds.size() / 2];
  const MemoryStats stats = a.stats();
  const int64_t peak = stats.peak_live_bytes - before + x.nbytes();  // counted as the estimates count
  const int64_t estimate = o.mode == "whole" ? whole_estimate : tiled_estimate;
  fmt::print(
      "bench infer: {} {}x{}: {:.2f} s wall, {:.2f} s CPU (medians of {}), allocator peak {:.3f} GiB (estimated "
      "{:.3f}, reserved peak {:.3f}), max RSS {:.3f} GiB\n",
      o.mode, o.width, o.height, t.median_s, cpu, t.runs, gib(peak), gib(estimate), gib(stats.peak_reserved_bytes),
      gib(max_rss_bytes()));
  fmt::print(
      "{{\"bench\": \"infer\", \"mode\": \"{}\", \"width\": {}, \"height\": {}, \"ngf\": {}, \"depth\": {}, "
      "\"tile\": {}, \"store_factor\": {}, \"threads\": {}, \"seconds\": {:.3f}, \"cpu_seconds\": {:.3f}, "
      "\"allocator_peak_bytes\": {}, \"estimated_bytes\": {}, \"reserved_peak_bytes\": {}, \"max_rss_bytes\": {}}}\n",
      o.mode, o.width, o.height, o.ngf, o.depth, o.mode == "tiled" ? o.tile : 0, o.store, omp_get_max_threads(),
      t.median_s, cpu, peak, estimate, stats.peak_reserved_bytes, max_rss_bytes());
  return 0;
}

}  // namespace revgan::bench
