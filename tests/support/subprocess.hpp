// Running the project's tools as child processes in tests: through the shell with the output in a
// log file, or directly (fork + exec) with the output captured through a pipe and optional limits
// such as a maximum file size, for "disk full" cases that work even as root.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace revgan::test {

// The whole file ("" when it cannot be read).
std::string read_text(const std::filesystem::path& path);

// Exit status of `binary args` run by /bin/sh (args is shell text, quote paths with '...');
// stdout and stderr go to `log`. -1 when the shell did not exit normally.
int run_tool(const std::string& binary, const std::string& args, const std::filesystem::path& log);

struct ChildOptions {
  // RLIMIT_FSIZE of the child, in bytes (< 0: unchanged). SIGXFSZ is ignored in the child, so a
  // write past the limit fails with EFBIG instead of killing it: the tool sees a full disk.
  int64_t max_file_bytes = -1;
  // Environment variables set in the child only.
  std::vector<std::pair<std::string, std::string>> env;
};

struct ChildResult {
  int exit_code = -1;   // -1 unless the child exited normally
  int term_signal = 0;  // the signal that killed it, if any
  std::string output;   // stdout and stderr, interleaved
};

// Runs argv[0] (a path, no PATH search) with argv[1..]; waits for it to finish.
ChildResult run_program(const std::vector<std::string>& argv, const ChildOptions& options = {});

}  // namespace revgan::test
