// Adaptive CPU thread counts: the team-size rule, /proc/stat parsing and its errors, real samples
// that see another process's busy core, and the object that applies the rule at step
// boundaries (with scripted samples) and restores OpenMP's team size.
#include <omp.h>

#include <catch2/catch.hpp>
#include <deque>
#include <memory>

#include "engine/core/adaptive_threads.hpp"
#include "engine/core/cpu_usage.hpp"
#include "tests/support/busy_process.hpp"

using namespace revgan;

TEST_CASE("adaptive threads: the team is the CPUs others leave free, rounded, in [1, most]", "[engine]") {
  CHECK(adaptive_team_size(0.0, 2, 2) == 2);
  CHECK(adaptive_team_size(0.4, 2, 2) == 2);
  CHECK(adaptive_team_size(0.6, 2, 2) == 1);
  CHECK(adaptive_team_size(1.0, 2, 2) == 1);
  CHECK(adaptive_team_size(3.5, 2, 2) == 1);  // never below one
  CHECK(adaptive_team_size(0.0, 8, 4) == 4);  // never above the count it started with
  CHECK(adaptive_team_size(2.2, 8, 8) == 6);
  CHECK(adaptive_team_size(-1.0, 4, 4) == 4);
  CHECK_THROWS_WITH(adaptive_team_size(0.0, 0, 2), Catch::Contains("at least one CPU"));
  CHECK_THROWS_WITH(adaptive_team_size(0.0, 2, 0), Catch::Contains("one thread"));
}

TEST_CASE("adaptive threads: busy seconds of the listed CPUs from /proc/stat text", "[engine]") {
  // user nice system idle iowait irq softirq steal guest guest_nice
  const std::string text =
      "cpu  900 0 900 900 900 0 0 0 0 0\n"
      "cpu0 100 10 20 500 40 1 2 3 50 60\n"
      "cpu1 200 0 30 400 0 0 0 7\n"
      "cpu3 1000 0 0 0 0 0 0 0\n"
      "intr 12345 0 0\n"
      "ctxt 999\n";
  // cpu0: 100 + 10 + 20 + 1 + 2 + 3 (not idle, iowait or guest, which user already counts).
  CHECK(busy_seconds_in_proc_stat(text, {0}, 100.0, "t") == Approx(1.36));
  CHECK(busy_seconds_in_proc_stat(text, {0, 1}, 100.0, "t") == Approx(1.36 + 2.37));
  CHECK(busy_seconds_in_proc_stat(text, {3}, 1000.0, "t") == Approx(1.0));
  CHECK_THROWS_WITH(busy_seconds_in_proc_stat(text, {2}, 100.0, "/proc/stat"),
                    Catch::Contains("/proc/stat") && Catch::Contains("no line for cpu2"));
  CHECK_THROWS_WITH(busy_seconds_in_proc_stat("cpu0 1 2 x 4\n", {0}, 100.0, "/proc/stat"),
                    Catch::Contains("/proc/stat") && Catch::Contains("non-number"));
  CHECK_THROWS_WITH(busy_seconds_in_proc_stat("cpu0 1 2\n", {0}, 100.0, "f"), Catch::Contains("fewer than 4"));
  CHECK_THROWS_WITH(busy_seconds_in_proc_stat("cpu0x 1 2 3 4\n", {0}, 100.0, "f"), Catch::Contains("malformed"));
}

TEST_CASE("adaptive threads: others' busy cores between two samples", "[engine]") {
  const CpuUsageSample a{10.0, 50.0, 5.0, 2}, b{12.0, 53.0, 6.0, 2};
  CHECK(other_busy_cores(a, b) == Approx(1.0));  // 3 s busy, 1 s ours, over 2 s
  CHECK(other_busy_cores(b, a) == 0.0);          // no interval
  const CpuUsageSample c{12.0, 51.0, 6.0, 2};    // ours more than the total (tick rounding)
  CHECK(other_busy_cores(a, c) == 0.0);
}

TEST_CASE("adaptive threads: a real sample sees another process keep a core busy", "[engine]") {
  const std::optional<CpuUsageSample> before = sample_cpu_usage();
  REQUIRE(before.has_value());  // Linux: /proc/stat is there
  CHECK(before->cpus >= 1);
  test::BusyProcess busy(0.8);
  REQUIRE(busy.wait());  // the parent sleeps meanwhile
  const std::optional<CpuUsageSample> after = sample_cpu_usage();
  REQUIRE(after.has_value());
  CHECK(after->busy_seconds >= before->busy_seconds);
  CHECK(after->own_seconds >= before->own_seconds);
  // The child had a core to itself for most of the interval (other tests on the machine only
  // add to the figure).
  CHECK(other_busy_cores(*before, *after) >= 0.5);
}

namespace {

// Samples handed out in order; nothing once they run out.
struct ScriptedSamples {
  std::deque<std::optional<CpuUsageSample>> queue;
  std::optional<CpuUsageSample> operator()() {
    if (queue.empty()) return std::nullopt;
    std::optional<CpuUsageSample> s = queue.front();
    queue.pop_front();
    return s;
  }
};

}  // namespace

TEST_CASE("adaptive threads: the team follows the load at step boundaries and is restored", "[engine]") {
  const int saved = omp_get_max_threads();
  omp_set_num_threads(4);
  {
    auto script = std::make_shared<ScriptedSamples>();
    // wall, busy (all CPUs), own; 4 CPUs.
    script->queue = {CpuUsageSample{0.0, 0.0, 0.0, 4},
                     CpuUsageSample{0.1, 0.4, 0.4, 4},   // too soon to decide
                     CpuUsageSample{1.0, 4.0, 2.0, 4},   // others 2 cores: team 2
                     CpuUsageSample{2.0, 7.0, 4.0, 4},   // others 1 core: team 3
                     std::nullopt,                       // no counters: the team stays
                     CpuUsageSample{3.0, 9.0, 6.0, 4},   // others 0: all 4 (after the gap)
                     CpuUsageSample{4.0, 13.0, 6.5, 4}}; // others 3.5: one
    AdaptiveThreads threads(0, [script] { return (*script)(); });
    CHECK(threads.most() == 4);
    CHECK(threads.team() == 4);
    CHECK(threads.update() == 4);
    CHECK(threads.other_cores() == -1.0);
    CHECK(threads.update() == 2);
    CHECK(omp_get_max_threads() == 2);
    CHECK(threads.other_cores() == Approx(2.0));
    CHECK(threads.update() == 3);
    CHECK(omp_get_max_threads() == 3);
    CHECK(threads.update() == 3);
    CHECK(threads.update() == 4);
    CHECK(threads.update() == 1);
    CHECK(omp_get_max_threads() == 1);
  }
  CHECK(omp_get_max_threads() == 4);  // the destructor gives back the count it started with
  omp_set_num_threads(saved);
}
