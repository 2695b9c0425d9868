// The command-line front of every tool: parse argv with the tool's option table, print the help
// (usage text plus the table's lines) on --help, and turn a usage mistake into the message and
// exit status 2 that every tool uses. `check` runs the tool's own argument rules inside the
// same guard, so they exit 2 as well.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/option_table.hpp"

namespace revgan::tools {

template <class T>
struct ToolArgs {
  std::optional<T> options;  // empty: stop with exit_code (help shown, or a usage error)
  int exit_code = 0;
};

template <class T>
ToolArgs<T> parse_tool_args(const char* program, const std::string& usage, const OptionTable<T>& table, int argc,
                            char** argv, const std::function<void(const ParsedOptions<T>&)>& check = {}) {
  try {
    const ParsedOptions<T> parsed = table.parse(std::vector<std::string>(argv + 1, argv + argc));
    if (parsed.help) {
      fmt::print("{}\noptions:\n{}", usage, table.help_lines(T{}));
      return {std::nullopt, 0};
    }
    if (check) check(parsed);
    return {parsed.options, 0};
  } catch (const Error& e) {
    fmt::print(stderr, "{}: {}\n(see --help)\n", program, e.message());
    return {std::nullopt, 2};
  }
}

}  // namespace revgan::tools
