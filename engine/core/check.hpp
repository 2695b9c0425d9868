// The one error type and CHECK macro family of the engine: every failed precondition throws
// revgan::Error carrying file, line, the failed expression and a formatted message.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace revgan {

class Error : public std::runtime_error {
 public:
  Error(const char* file, int line, const char* expression, const std::string& message);
  const std::string& message() const { return message_; }
  const char* file() const { return file_; }
  int line() const { return line_; }

 private:
  std::string message_;
  const char* file_;
  int line_;
};

}  // namespace revgan

// REVGAN_CHECK(cond, "fmt {}", args...): throws revgan::Error when cond is false.
#define REVGAN_CHECK(cond, ...)                                                       \
  do {                                                                                \
    if (!(cond)) [[unlikely]] {                                                       \
      throw ::revgan::Error(__FILE__, __LINE__, #cond, ::fmt::format(__VA_ARGS__));   \
    }                                                                                 \
  } while (0)

// REVGAN_FAIL("fmt {}", args...): an unconditional error (unreachable branches, I/O failures).
#define REVGAN_FAIL(...) throw ::revgan::Error(__FILE__, __LINE__, "", ::fmt::format(__VA_ARGS__))
