// CPU time from the kernel's counters: how busy the CPUs this process may run on were, and how
// much of that was this process. Over an interval, the difference is what other processes (and,
// in a virtual machine, the hypervisor's steal time) took: the basis of adaptive thread counts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace revgan {

struct CpuUsageSample {
  double wall_seconds = 0;  // a steady clock
  double busy_seconds = 0;  // busy time (all but idle and iowait) summed over `cpus`
  double own_seconds = 0;   // this process's CPU time, all threads
  int cpus = 0;             // CPUs in this process's affinity mask (read at the first sample)
};

// Cores kept busy by others between two samples, averaged over the interval (>= 0).
double other_busy_cores(const CpuUsageSample& before, const CpuUsageSample& after);

// Busy seconds of the listed CPUs in the text of /proc/stat (its "cpuN" lines; `ticks_per_second`
// is the kernel's USER_HZ). Throws, naming `source`, when a listed CPU has no line or a line is
// malformed.
double busy_seconds_in_proc_stat(std::string_view text, const std::vector<int>& cpus, double ticks_per_second,
                                 const std::string& source);

// CPU time of this whole process (all threads) so far, in seconds.
double process_cpu_seconds();

// A sample now, or nothing where the counters cannot be read (no /proc/stat: not Linux).
std::optional<CpuUsageSample> sample_cpu_usage();

}  // namespace revgan
