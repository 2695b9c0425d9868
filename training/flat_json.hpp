// A tiny JSON writer and reader for flat objects of scalars ({"key": "text", "n": 3, "b": true}),
// which is all the option files and checkpoint configs need. Nested values are rejected.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace revgan::training {

struct JsonScalar {
  enum class Kind { string, number, boolean, null };
  Kind kind = Kind::null;
  std::string text;  // the decoded string, or the literal as written (numbers, true/false)
};
using FlatJson = std::vector<std::pair<std::string, JsonScalar>>;

// One "key": value per line, in the given order.
std::string write_flat_json(const FlatJson& object);
// Throws revgan::Error naming the offset of the first problem (syntax, nesting, duplicate key).
FlatJson parse_flat_json(std::string_view text);
// "text" with JSON escapes.
std::string json_quote(std::string_view text);

}  // namespace revgan::training
