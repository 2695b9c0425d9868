// Formatting of engine errors: "message (file:line, failed: expression)".
#include "engine/core/check.hpp"

namespace revgan {

namespace {
std::string compose(const char* file, int line, const char* expression, const std::string& message) {
  if (expression == nullptr || expression[0] == '\0') return fmt::format("{} ({}:{})", message, file, line);
  return fmt::format("{} ({}:{}, failed: {})", message, file, line, expression);
}
}  // namespace

Error::Error(const char* file, int line, const char* expression, const std::string& message)
    : std::runtime_error(compose(file, line, expression, message)), message_(message), file_(file), line_(line) {}

}  // namespace revgan
