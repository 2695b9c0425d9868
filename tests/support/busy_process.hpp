// A child process that keeps one core busy: the "other CPU-bound work" of the adaptive-threads
// tests. The child spins and exits on its own after `seconds`; the destructor kills and reaps it
// if it is still running, so a failing test leaves no spinner behind.
#pragma once

#include <sys/types.h>

namespace revgan::test {

class BusyProcess {
 public:
  explicit BusyProcess(double seconds);
  ~BusyProcess();
  BusyProcess(const BusyProcess&) = delete;
  BusyProcess& operator=(const BusyProcess&) = delete;
  // Waits until the child has spun its time and exited; false if it could not be reaped.
  bool wait();
  // Kills the child if it still runs, and reaps it (the destructor does this too).
  void stop();

 private:
  pid_t pid_ = -1;
};

}  // namespace revgan::test
