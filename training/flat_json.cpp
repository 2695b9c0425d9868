// Flat JSON: strict enough to reject typos, small enough to read at a glance.
#include "training/flat_json.hpp"

#include <cstdint>
#include <set>

#include "engine/core/check.hpp"

namespace revgan::training {

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        else
          out += c;  // UTF-8 passes through unchanged
    }
  }
  return out + "\"";
}

std::string write_flat_json(const FlatJson& object) {
  std::string out = "{";
  for (std::size_t i = 0; i < object.size(); ++i) {
    const auto& [key, value] = object[i];
    out += i ? ",\n  " : "\n  ";
    out += json_quote(key) + ": ";
    switch (value.kind) {
      case JsonScalar::Kind::string: out += json_quote(value.text); break;
      case JsonScalar::Kind::null: out += "null"; break;
      default: out += value.text;
    }
  }
  return out + (object.empty() ? "}" : "\n}");
}

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  FlatJson parse_object() {
    FlatJson out;
    std::set<std::string> keys;
    skip_space();
    expect('{');
    skip_space();
    if (peek() == '}') {
      ++pos_;
    } else {
      for (;;) {
        skip_space();
        std::string key = parse_string();
        if (!keys.insert(key).second) fail(fmt::format("duplicate key '{}'", key));
        skip_space();
        expect(':');
        skip_space();
        out.emplace_back(std::move(key), parse_scalar());
        skip_space();
        if (peek() == ',') {
          ++pos_;
          continue;
        }
        expect('}');
        break;
      }
    }
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the object");
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { REVGAN_FAIL("JSON: {} at offset {}", what, pos_); }
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void expect(char c) {
    if (peek() != c) fail(fmt::format("expected '{}'", c));
    ++pos_;
  }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) ++pos_;
  }

  JsonScalar parse_scalar() {
    const char c = peek();
    if (c == '"') return {JsonScalar::Kind::string, parse_string()};
    if (c == '{' || c == '[') fail("nested objects and arrays are not supported");
    for (const char* word : {"true", "false", "null"}) {
      const std::string_view w(word);
      if (s_.substr(pos_, w.size()) == w) {
        pos_ += w.size();
        return {w == "null" ? JsonScalar::Kind::null : JsonScalar::Kind::boolean, std::string(w)};
      }
    }
    return {JsonScalar::Kind::number, parse_number()};
  }

  // JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  std::string parse_number() {
    const std::size_t start = pos_;
    auto digits = [&] {
      const std::size_t from = pos_;
      while (peek() >= '0' && peek() <= '9') ++pos_;
      return pos_ > from;
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
    } else if (!digits()) {
      fail("expected a value");
    }
    if (peek() == '.') {
      ++pos_;
      if (!digits()) fail("expected digits after '.'");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!digits()) fail("expected an exponent");
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  unsigned parse_hex4() {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = peek();
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else fail("bad \\u escape");
      ++pos_;
    }
    return v;
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) fail("unterminated string");
      const char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      const char e = peek();
      ++pos_;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = parse_hex4();
          if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair encodes one code point
            if (peek() != '\\') fail("lone surrogate");
            ++pos_;
            if (peek() != 'u') fail("lone surrogate");
            ++pos_;
            const uint32_t low = parse_hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("bad surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default: fail("bad escape");
      }
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

FlatJson parse_flat_json(std::string_view text) { return Parser(text).parse_object(); }

}  // namespace revgan::training
