// One table of options per tool, from which the command line (--name VALUE, --name=VALUE,
// --flag, --flag=false, --no_flag), the --help lines and the text form of every value all come,
// so they cannot disagree. Every tool (revgan_train's TrainOptions with its config files and
// JSON, revgan_infer, revgan_eval, revgan_datagen, revgan_report, bench) declares its options as
// such a table. Names are snake_case; '-' in a name typed on the command line is read as '_', so
// --lambda-identity and --lambda_identity are one option. Mistakes throw revgan::Error naming
// the option (tools exit with status 2 on them).
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "engine/core/check.hpp"

namespace revgan {

template <class T>
struct OptionSpec {
  using Member = std::variant<std::string T::*, int64_t T::*, uint64_t T::*, double T::*, bool T::*>;
  const char* name;  // snake_case, without "--"
  Member member;
  const char* help;
  const char* default_text = nullptr;  // shown in --help instead of the default value ("by model")
  const char* value_name = "VALUE";    // shown in --help after the option ("DIR", "N")
};

// The result of parsing a command line.
template <class T>
struct ParsedOptions {
  T options;
  bool help = false;               // --help or -h was given (nothing else is checked then)
  std::vector<std::string> given;  // names of the options set on the command line, in order
  bool was_given(std::string_view name) const {
    return std::find(given.begin(), given.end(), name) != given.end();
  }
};

template <class T>
class OptionTable {
 public:
  using Spec = OptionSpec<T>;
  // `file_option`: the name of an option whose value is a file of further options (e.g.
  // "config"), applied through `apply_file` before every other argument whatever its position.
  struct FileOption {
    std::string name;
    std::function<void(const std::string& path, T& options)> apply;
  };

  explicit OptionTable(std::vector<Spec> specs, FileOption file_option = {})
      : specs_(std::move(specs)), file_option_(std::move(file_option)) {}

  const std::vector<Spec>& specs() const { return specs_; }

  const Spec* find(std::string_view name) const {
    const std::string key = canonical(name);
    for (const Spec& s : specs_)
      if (key == s.name) return &s;
    return nullptr;
  }

  static bool is_bool(const Spec& s) { return std::holds_alternative<bool T::*>(s.member); }
  static bool is_string(const Spec& s) { return std::holds_alternative<std::string T::*>(s.member); }

  // Converts `text` to the member's type and stores it; `where` prefixes errors ("--lr",
  // "config 'f' line 3: option 'lr'").
  void assign(T& o, const Spec& spec, const std::string& text, const std::string& where) const {
    std::visit(
        [&](auto member) {
          using V = std::remove_reference_t<decltype(o.*member)>;
          if constexpr (std::is_same_v<V, std::string>) {
            o.*member = text;
          } else if constexpr (std::is_same_v<V, bool>) {
            if (text == "true" || text == "1" || text == "yes" || text == "on")
              o.*member = true;
            else if (text == "false" || text == "0" || text == "no" || text == "off")
              o.*member = false;
            else
              REVGAN_FAIL("{}: expected true or false, got '{}'", where, text);
          } else if constexpr (std::is_same_v<V, double>) {
            errno = 0;
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            REVGAN_CHECK(!text.empty() && end == text.c_str() + text.size() && errno == 0 && std::isfinite(v),
                         "{}: expected a number, got '{}'", where, text);
            o.*member = v;
          } else {
            V v{};
            if (text == "inf" && std::is_same_v<V, int64_t>)
              v = std::numeric_limits<V>::max();
            else
              REVGAN_CHECK(parse_integer(text, v), "{}: expected an integer, got '{}'", where, text);
            o.*member = v;
          }
        },
        spec.member);
  }

  // The value as text: strings as they are, booleans true / false, numbers in their shortest
  // round-trip form.
  std::string value_text(const T& o, const Spec& spec) const {
    return std::visit(
        [&](auto member) -> std::string {
          using V = std::remove_reference_t<decltype(o.*member)>;
          if constexpr (std::is_same_v<V, std::string>)
            return o.*member;
          else if constexpr (std::is_same_v<V, bool>)
            return o.*member ? "true" : "false";
          else
            return fmt::format("{}", o.*member);
        },
        spec.member);
  }

  // `args` excludes the program name (and any sub-command). Later arguments override earlier
  // ones; the file option's file is applied first. Unknown options, missing or malformed values
  // and positional arguments are errors.
  ParsedOptions<T> parse(const std::vector<std::string>& args, T start = T{}) const {
    ParsedOptions<T> out{std::move(start), false, {}};
    for (const std::string& a : args)
      if (a == "--help" || a == "-h") out.help = true;
    if (out.help) return out;
    // Pass 1: the file option, so that every other argument overrides what the file says.
    if (!file_option_.name.empty()) {
      for (std::size_t i = 0; i < args.size(); ++i) {
        Arg a = split(args[i]);
        if (a.key != file_option_.name) continue;
        if (!a.has_value) {
          REVGAN_CHECK(i + 1 < args.size(), "option --{}: missing value", a.key);
          a.value = args[++i];
        }
        file_option_.apply(a.value, out.options);
      }
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& raw = args[i];
      REVGAN_CHECK(raw.size() > 2 && raw.rfind("--", 0) == 0, "unexpected argument '{}' (options start with --)", raw);
      Arg a = split(raw);
      if (!file_option_.name.empty() && a.key == file_option_.name) {
        if (!a.has_value) ++i;
        continue;
      }
      const Spec* spec = find(a.key);
      if (spec == nullptr && a.key.rfind("no_", 0) == 0) {
        const Spec* positive = find(a.key.substr(3));
        if (positive != nullptr && is_bool(*positive)) {
          REVGAN_CHECK(!a.has_value, "option --{}: takes no value", a.key);
          assign(out.options, *positive, "false", "--" + a.key);
          out.given.emplace_back(positive->name);
          continue;
        }
      }
      REVGAN_CHECK(spec != nullptr, "unknown option '--{}'", a.key);
      if (is_bool(*spec)) {
        assign(out.options, *spec, a.has_value ? a.value : "true", "--" + a.key);
      } else {
        if (!a.has_value) {
          REVGAN_CHECK(i + 1 < args.size(), "option --{}: missing value", a.key);
          a.value = args[++i];
        }
        assign(out.options, *spec, a.value, "--" + a.key);
      }
      out.given.emplace_back(spec->name);
    }
    return out;
  }

  // Splits a command line into the arguments of this table's options (each with its value) and
  // the rest, which another table may parse (e.g. bench train passes the rest to revgan_train's
  // table). A value-taking option of the rest keeps the argument after it.
  std::pair<std::vector<std::string>, std::vector<std::string>> split_known(const std::vector<std::string>& args) const {
    std::vector<std::string> known, rest;
    for (std::size_t i = 0; i < args.size(); ++i) {
      const Arg a = split(args[i]);
      const Spec* spec = find(a.key);
      const Spec* negated = spec == nullptr && a.key.rfind("no_", 0) == 0 ? find(a.key.substr(3)) : nullptr;
      const bool mine = spec != nullptr || (negated != nullptr && is_bool(*negated)) ||
                        (!file_option_.name.empty() && a.key == file_option_.name);
      auto& to = mine ? known : rest;
      to.push_back(args[i]);
      const bool takes_value = mine ? (spec == nullptr || !is_bool(*spec)) && negated == nullptr : true;
      if (!a.key.empty() && !a.has_value && takes_value && i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0)
        to.push_back(args[++i]);
    }
    return {known, rest};
  }

  // One line per option: flag, help, default (from `defaults`).
  std::string help_lines(const T& defaults) const {
    std::string out;
    if (!file_option_.name.empty())
      out += line(fmt::format("--{} FILE", file_option_.name), "read options from FILE", "none");
    for (const Spec& s : specs_) {
      const bool default_on = is_bool(s) && value_text(defaults, s) == "true";
      const std::string flag = default_on    ? fmt::format("--[no_]{}", s.name)
                               : is_bool(s) ? fmt::format("--{}", s.name)
                                            : fmt::format("--{} {}", s.name, s.value_name);
      std::string def = s.default_text != nullptr ? s.default_text : value_text(defaults, s);
      if (is_string(s) && s.default_text == nullptr) def = def.empty() ? "none" : "'" + def + "'";
      if (def == fmt::format("{}", std::numeric_limits<int64_t>::max())) def = "inf";
      out += line(flag, s.help, def);
    }
    out += line("--help", "show this help and exit", "-");
    return out;
  }

 private:
  struct Arg {
    std::string key, value;
    bool has_value = false;  // "--flag" vs "--flag="
  };

  static std::string canonical(std::string_view name) {
    std::string key(name);
    std::replace(key.begin(), key.end(), '-', '_');
    return key;
  }

  static Arg split(const std::string& a) {
    Arg r;
    if (a.rfind("--", 0) != 0) return r;
    const auto eq = a.find('=');
    r.key = canonical(std::string_view(a).substr(2, eq == std::string::npos ? std::string::npos : eq - 2));
    if (eq != std::string::npos) {
      r.value = a.substr(eq + 1);
      r.has_value = true;
    }
    return r;
  }

  template <class V>
  static bool parse_integer(std::string_view text, V& out) {
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && p == end;
  }

  static std::string line(const std::string& flag, const std::string& help, const std::string& def) {
    return fmt::format("  {:<28} {} (default: {})\n", flag, help, def);
  }

  std::vector<Spec> specs_;
  FileOption file_option_;
};

}  // namespace revgan
