// Command-line parsing shared by revgan_infer and revgan_eval: --name VALUE or --name=VALUE,
// boolean --flags, --help; mistakes throw UsageError (the tools exit with status 2).
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace revgan::tools {

struct UsageError {
  std::string message;
};

class Args {
 public:
  Args(std::vector<std::string> valued, std::vector<std::string> flags)
      : valued_(std::move(valued)), flags_(std::move(flags)) {}

  // Returns false when --help / -h was given.
  bool parse(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      if (arg == "--help" || arg == "-h") return false;
      if (!arg.starts_with("--")) throw UsageError{fmt::format("unexpected argument '{}'", arg)};
      std::string value;
      bool has_value = false;
      if (const auto eq = arg.find('='); eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        has_value = true;
      }
      if (contains(flags_, arg)) {
        if (has_value && value != "true" && value != "false")
          throw UsageError{fmt::format("{} takes no value (or =true / =false), got '{}'", arg, value)};
        values_[arg] = has_value ? value : "true";
        continue;
      }
      if (!contains(valued_, arg)) throw UsageError{fmt::format("unknown option '{}'", arg)};
      if (!has_value) {
        if (i + 1 >= argc) throw UsageError{fmt::format("{} needs a value", arg)};
        value = argv[++i];
      }
      values_[arg] = value;
    }
    return true;
  }

  bool has(const std::string& name) const { return values_.contains(name); }
  std::string get(const std::string& name, const std::string& fallback = "") const {
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  std::string required(const std::string& name) const {
    if (!has(name)) throw UsageError{fmt::format("{} is required", name)};
    return get(name);
  }
  bool flag(const std::string& name) const { return get(name, "false") == "true"; }
  int64_t get_int(const std::string& name, int64_t fallback, int64_t min_value) const {
    if (!has(name)) return fallback;
    const std::string text = get(name);
    int64_t v = 0;
    try {
      std::size_t used = 0;
      v = std::stoll(text, &used);
      if (used != text.size()) throw std::invalid_argument(text);
    } catch (const std::exception&) {
      throw UsageError{fmt::format("{} expects an integer, got '{}'", name, text)};
    }
    if (v < min_value) throw UsageError{fmt::format("{} must be at least {}, got {}", name, min_value, v)};
    return v;
  }
  // The value must be one of `choices`.
  std::string get_choice(const std::string& name, const std::vector<std::string>& choices) const {
    const std::string v = has(name) ? get(name) : choices.front();
    if (!contains(choices, v)) {
      std::string list;
      for (const auto& c : choices) list += (list.empty() ? "" : " | ") + c;
      throw UsageError{fmt::format("{} must be {}, got '{}'", name, list, v)};
    }
    return v;
  }

 private:
  static bool contains(const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  }
  std::vector<std::string> valued_, flags_;
  std::map<std::string, std::string> values_;
};

// "F" (every axis) or "D,H,W": positive integers.
inline std::array<int64_t, 3> parse_factor(const std::string& option, const std::string& text) {
  std::vector<int64_t> v;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string part = text.substr(start, comma - start);
    try {
      std::size_t used = 0;
      v.push_back(std::stoll(part, &used));
      if (used != part.size() || v.back() < 1) throw std::invalid_argument(part);
    } catch (const std::exception&) {
      throw UsageError{fmt::format("{} expects positive integers (F or D,H,W), got '{}'", option, text)};
    }
    start = comma + 1;
  }
  if (v.size() == 1) return {v[0], v[0], v[0]};
  if (v.size() != 3) throw UsageError{fmt::format("{} expects one or three values, got '{}'", option, text)};
  return {v[0], v[1], v[2]};
}

// A byte count: a number with an optional binary unit K, M, G or T (also written KiB, KB, ...):
// "8G", "1.5GiB", "512M", "1000000". Positive.
inline int64_t parse_bytes(const std::string& option, const std::string& text) {
  const auto bad = [&] {
    return UsageError{fmt::format("{} expects a size such as 8G, 1.5GiB or 512M, got '{}'", option, text)};
  };
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw bad();
  }
  std::string unit = text.substr(used);
  for (const char* tail : {"iB", "B"})
    if (unit.size() > 1 && unit.ends_with(tail)) unit.resize(unit.size() - std::string(tail).size());
  const std::size_t power =
      unit.size() == 1 ? std::string("KMGT").find(static_cast<char>(std::toupper(static_cast<unsigned char>(unit[0]))))
                       : std::string::npos;
  double scale = 1;
  if (power != std::string::npos) {
    for (std::size_t i = 0; i <= power; ++i) scale *= 1024;
  } else if (!unit.empty() && unit != "B") {
    throw bad();
  }
  const double bytes = value * scale;
  if (!(bytes >= 1) || bytes > 9.0e18) throw bad();
  return static_cast<int64_t>(bytes);
}

}  // namespace revgan::tools
