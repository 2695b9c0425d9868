// markup_escape: the four characters that may not appear literally in element text or in a
// double-quoted attribute.
#include "tools/report/markup_escape.hpp"

namespace revgan::report {

std::string markup_escape(const std::string& text) {
  std::string s;
  s.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '<': s += "&lt;"; break;
      case '>': s += "&gt;"; break;
      case '&': s += "&amp;"; break;
      case '"': s += "&quot;"; break;
      default: s += c;
    }
  }
  return s;
}

}  // namespace revgan::report
