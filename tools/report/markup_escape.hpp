// Escaping text for HTML and SVG (XML): the one place that knows which characters must become
// entities (< > & "), used by the report page and its inline charts.
#pragma once

#include <string>

namespace revgan::report {

std::string markup_escape(const std::string& text);

}  // namespace revgan::report
