// CPU usage samples from /proc/stat, sched_getaffinity and the process CPU-time clock (Linux).
#include "engine/core/cpu_usage.hpp"

#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <sstream>

#include "engine/core/check.hpp"

namespace revgan {

namespace {

// The CPUs this process may run on.
std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
  }
  if (cpus.empty())
    for (long c = 0; c < std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)); ++c) cpus.push_back(static_cast<int>(c));
  return cpus;
}

}  // namespace

double process_cpu_seconds() {
  timespec t{};
  REVGAN_CHECK(::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) == 0, "cpu usage: clock_gettime failed");
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double other_busy_cores(const CpuUsageSample& before, const CpuUsageSample& after) {
  const double wall = after.wall_seconds - before.wall_seconds;
  if (wall <= 0) return 0;
  const double others = (after.busy_seconds - before.busy_seconds) - (after.own_seconds - before.own_seconds);
  return std::max(0.0, others / wall);
}

double busy_seconds_in_proc_stat(std::string_view text, const std::vector<int>& cpus, double ticks_per_second,
                                 const std::string& source) {
  REVGAN_CHECK(ticks_per_second > 0, "{}: clock ticks per second must be positive, got {}", source,
               ticks_per_second);
  std::vector<char> seen(cpus.empty() ? 0 : static_cast<std::size_t>(*std::max_element(cpus.begin(), cpus.end())) + 1);
  double busy_ticks = 0;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    // "cpuN user nice system idle iowait irq softirq steal guest guest_nice"; the aggregate
    // "cpu" line and the other keys are skipped.
    if (line.size() < 4 || line.compare(0, 3, "cpu") != 0 || line[3] < '0' || line[3] > '9') continue;
    std::istringstream fields(line);
    std::string name;
    fields >> name;
    int cpu = -1;
    const auto [end, error] = std::from_chars(name.data() + 3, name.data() + name.size(), cpu);
    REVGAN_CHECK(error == std::errc() && end == name.data() + name.size(), "{}: malformed line '{}'", source, line);
    if (std::find(cpus.begin(), cpus.end(), cpu) == cpus.end()) continue;
    std::vector<double> ticks;
    for (double v = 0; fields >> v;) ticks.push_back(v);
    REVGAN_CHECK(ticks.size() >= 4 && fields.eof(), "{}: line '{}' has fewer than 4 counters or a non-number",
                 source, line);
    // user, nice, system, irq, softirq and steal are busy (guest time is counted in user);
    // idle (3) and iowait (4) are not.
    for (std::size_t i = 0; i < std::min<std::size_t>(ticks.size(), 8); ++i)
      if (i != 3 && i != 4) busy_ticks += ticks[i];
    seen[static_cast<std::size_t>(cpu)] = 1;
  }
  for (int cpu : cpus) REVGAN_CHECK(seen[static_cast<std::size_t>(cpu)], "{}: no line for cpu{}", source, cpu);
  return busy_ticks / ticks_per_second;
}

std::optional<CpuUsageSample> sample_cpu_usage() {
  static const std::vector<int> cpus = allowed_cpus();
  static const long ticks = ::sysconf(_SC_CLK_TCK);
  std::ifstream file("/proc/stat");
  if (!file || ticks <= 0) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  // The clocks right after the read, before the parse, so that the three describe one moment.
  CpuUsageSample s;
  s.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  s.own_seconds = process_cpu_seconds();
  s.busy_seconds = busy_seconds_in_proc_stat(text.str(), cpus, static_cast<double>(ticks), "/proc/stat");
  s.cpus = static_cast<int>(cpus.size());
  return s;
}

}  // namespace revgan
