// JSON text generation with commas and indentation tracked per open container.
#include "tools/eval/json_writer.hpp"

#include <fmt/format.h>

#include <cmath>

#include "engine/core/check.hpp"

namespace revgan::eval {

std::string json_escape(std::string_view text) {
  std::string s;
  for (const char ch : text) {
    switch (ch) {
      case '"': s += "\\\""; break;
      case '\\': s += "\\\\"; break;
      case '\n': s += "\\n"; break;
      case '\r': s += "\\r"; break;
      case '\t': s += "\\t"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20)
          s += fmt::format("\\u{:04x}", static_cast<int>(ch));
        else
          s += ch;
    }
  }
  return s;
}

void JsonWriter::newline() {
  out_ += '\n';
  out_.append(2 * first_.size(), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
    newline();
  }
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  REVGAN_CHECK(!first_.empty() && !after_key_, "JsonWriter: unbalanced end_object");
  const bool empty = first_.back();
  first_.pop_back();
  if (!empty) newline();
  out_ += '}';
  if (first_.empty()) out_ += '\n';
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  REVGAN_CHECK(!first_.empty() && !after_key_, "JsonWriter: unbalanced end_array");
  const bool empty = first_.back();
  first_.pop_back();
  if (!empty) newline();
  out_ += ']';
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  REVGAN_CHECK(!first_.empty() && !after_key_, "JsonWriter: key '{}' outside an object", name);
  before_value();
  out_ += fmt::format("\"{}\": ", json_escape(name));
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(double v) {
  if (std::isnan(v)) return null();
  if (std::isinf(v)) return value(std::string_view(v > 0 ? "inf" : "-inf"));
  before_value();
  out_ += fmt::format("{}", v);
  return *this;
}

JsonWriter& JsonWriter::value(int64_t v) {
  before_value();
  out_ += fmt::format("{}", v);
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view v) {
  before_value();
  out_ += fmt::format("\"{}\"", json_escape(v));
  return *this;
}

JsonWriter& JsonWriter::value(bool v) {
  before_value();
  out_ += v ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

}  // namespace revgan::eval
