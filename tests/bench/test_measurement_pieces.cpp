// The bench's measuring pieces on their own: saved-bytes deduplication over a graph, the
// budget search's bracketing, and the report writers.
#include <catch2/catch.hpp>

#include "bench/budget.hpp"
#include "bench/report.hpp"
#include "engine/autograd/saved_bytes.hpp"
#include "bench/train_bench.hpp"
#include "engine/ops/activation.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/loss.hpp"
#include "engine/tensor/factory.hpp"

using namespace revgan;
using namespace revgan::bench;

TEST_CASE("saved bytes count each storage once and split off parameter storages", "[exec]") {
  Generator gen(3);
  Tensor x = randn({4, 8}, gen);
  x.set_requires_grad(true);
  Tensor y = ops::tanh(x);                   // saves y
  Tensor z = ops::mul(y, y);                 // saves y twice: still one storage
  Tensor loss = ops::mse_loss(z, ops::zeros_like(z));  // saves z and the zeros
  const SavedBytes s = saved_for_backward({loss, Tensor()});
  CHECK(s.activation_bytes == 3 * 4 * 8 * 4);
  CHECK(s.parameter_bytes == 0);
  CHECK(s.storages == 3);
  // Two roots sharing a graph count the shared part once.
  Tensor loss2 = ops::l1_loss(y, ops::zeros_like(y));
  CHECK(saved_for_backward({loss, loss2}).activation_bytes == 4 * 4 * 8 * 4);
  // After the backward the nodes hold nothing.
  loss.backward();
  CHECK(saved_for_backward({loss}).activation_bytes == 0);
}

TEST_CASE("largest_fitting finds the boundary from any guess", "[exec]") {
  for (int64_t limit : {23, 24, 27, 28, 100, 4096, 5000}) {
    for (int64_t guess : {0, 24, 60, 100, 3000, 9000}) {
      int calls = 0;
      const int64_t best = largest_fitting(24, 4, 4096, guess, [&](int64_t v) {
        ++calls;
        return v <= limit;
      });
      INFO("limit " << limit << " guess " << guess);
      const int64_t expected = limit < 24 ? 20 : std::min<int64_t>(4096, 24 + (limit - 24) / 4 * 4);
      CHECK(best == expected);
      CHECK(calls < 40);
    }
  }
}

TEST_CASE("budget search: memory saving reaches a larger image in the same budget", "[exec][model]") {
  TrainConfig c = preset_configs("small").front();  // revgan_unpaired K4 R2
  c.options.depth = 8;
  c.options.memory_saving = false;
  const int64_t budget = 12 << 20;
  const BudgetResult stored = search_budget(c, budget, BudgetAxis::size, 256);
  c.options.memory_saving = true;
  const BudgetResult saving = search_budget(c, budget, BudgetAxis::size, 256);
  INFO("largest side stored " << stored.best << ", memory-saving " << saving.best);
  CHECK(stored.best >= 24);
  CHECK(stored.footprint_bytes <= budget);
  CHECK(saving.footprint_bytes <= budget);
  CHECK(saving.best > stored.best);
  CHECK(saving.best % 4 == 0);
}

TEST_CASE("reports: JSON lines carry the shared keys and the SVG plots both modes", "[exec]") {
  std::vector<TrainResult> results;
  for (int64_t r : {2, 4}) {
    for (bool memory_saving : {false, true}) {
      TrainResult x;
      x.config.options.depth = r;
      x.config.options.memory_saving = memory_saving;
      x.peak_activation_bytes = (!memory_saving ? r : 1) << 20;
      x.saved.activation_bytes = x.peak_activation_bytes / 2;
      x.seconds_per_sample = {1.0, 0.9, 1.1, 3};
      results.push_back(x);
    }
  }
  results.front().threads_used = 1.5;
  const std::string line = json_line(results.front());
  for (const char* key : {"\"model\":", "\"mode\":\"stored\"", "\"params_g\":", "\"saved_bytes\":",
                          "\"peak_activation_bytes\":", "\"time_per_sample_s\":", "\"threads\":",
                          "\"cpu_threads\":\"fixed\"", "\"threads_used\":1.50"})
    CHECK(line.find(key) != std::string::npos);
  const std::string svg = svg_memory_vs_depth(results);
  CHECK(svg.rfind("<svg", 0) == 0);
  CHECK(svg.find("memory_saving") != std::string::npos);
  CHECK(svg.find("stroke-dasharray") != std::string::npos);
  const std::string md = markdown_report(results, {});
  CHECK(md.find("Memory-saving / stored") != std::string::npos);
  CHECK(svg_memory_vs_depth({results.front()}).empty());
}

TEST_CASE("bench train refuses a device it cannot use, naming it and the reason", "[exec]") {
  // No machine this runs on has eight GPUs; builds without CUDA refuse any CUDA device.
  TrainConfig c = make_config("revgan_unpaired", 4, 1, 32);
  c.options.ndf = 8;
  c.options.device = "cuda:7";
  CHECK_THROWS_WITH(measure_train(c), Catch::Contains("--device cuda:7") &&
                                          (Catch::Contains("not available") || Catch::Contains("no CUDA backend")));
}
