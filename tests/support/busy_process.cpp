// fork() a spinning child; kill and reap it at the end of the test.
#include "tests/support/busy_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>

#include "engine/core/check.hpp"

namespace revgan::test {

BusyProcess::BusyProcess(double seconds) {
  pid_ = ::fork();
  REVGAN_CHECK(pid_ >= 0, "busy process: fork failed");
  if (pid_ == 0) {  // spins, then leaves without running any of the parent's exit code
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    volatile uint64_t n = 0;
    while (std::chrono::steady_clock::now() < end) n = n + 1;
    ::_exit(0);
  }
}

bool BusyProcess::wait() {
  const bool reaped = pid_ > 0 && ::waitpid(pid_, nullptr, 0) == pid_;
  pid_ = -1;
  return reaped;
}

void BusyProcess::stop() {
  if (pid_ > 0) ::kill(pid_, SIGKILL);
  wait();
}

BusyProcess::~BusyProcess() { stop(); }

}  // namespace revgan::test
