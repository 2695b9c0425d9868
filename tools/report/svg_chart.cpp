// SVG text for loss charts. Coordinates are rounded to 0.1 px to keep the HTML small.
#include "tools/report/svg_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "tools/report/markup_escape.hpp"

namespace revgan::report {

Series downsample(const Series& s, std::size_t max_points) {
  Series finite{s.name, {}, {}};
  for (std::size_t i = 0; i < s.y.size() && i < s.x.size(); ++i)
    if (std::isfinite(s.y[i]) && std::isfinite(s.x[i])) {
      finite.x.push_back(s.x[i]);
      finite.y.push_back(s.y[i]);
    }
  const std::size_t n = finite.y.size();
  if (max_points == 0 || n <= max_points) return finite;
  Series out{s.name, {}, {}};
  for (std::size_t b = 0; b < max_points; ++b) {
    const std::size_t lo = b * n / max_points, hi = (b + 1) * n / max_points;
    if (hi <= lo) continue;
    double sx = 0, sy = 0;
    for (std::size_t i = lo; i < hi; ++i) {
      sx += finite.x[i];
      sy += finite.y[i];
    }
    out.x.push_back(sx / static_cast<double>(hi - lo));
    out.y.push_back(sy / static_cast<double>(hi - lo));
  }
  return out;
}

std::string svg_line_chart(const Series& series, const ChartStyle& style) {
  const Series s = downsample(series, style.max_points);
  const double left = 48, right = 8, top = 22, bottom = 20;
  const double pw = style.width - left - right, ph = style.height - top - bottom;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n"
      "<rect x=\"{2}\" y=\"{3}\" width=\"{4}\" height=\"{5}\" fill=\"#fafafa\" stroke=\"#999\"/>\n"
      "<text x=\"{2}\" y=\"14\" font-weight=\"bold\">{6}</text>\n",
      style.width, style.height, left, top, pw, ph, markup_escape(s.name));
  if (s.y.empty()) return svg + fmt::format("<text x=\"{}\" y=\"{}\">no data</text>\n</svg>\n", left + 8, top + 20);

  double y0 = *std::min_element(s.y.begin(), s.y.end()), y1 = *std::max_element(s.y.begin(), s.y.end());
  const double x0 = s.x.front(), x1 = s.x.back();
  if (y1 - y0 < 1e-12) {  // a flat line still needs a range to be drawn in the middle
    y0 -= 0.5;
    y1 += 0.5;
  }
  const double xr = x1 > x0 ? x1 - x0 : 1.0;
  std::string points;
  for (std::size_t i = 0; i < s.y.size(); ++i) {
    const double px = left + (s.x.size() == 1 ? pw / 2 : (s.x[i] - x0) / xr * pw);
    const double py = top + (1.0 - (s.y[i] - y0) / (y1 - y0)) * ph;
    points += fmt::format("{}{:.1f},{:.1f}", i ? " " : "", px, py);
  }
  svg += fmt::format("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.2\" points=\"{}\"/>\n", points);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.3g}</text>\n", left - 3, top + 9, y1);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:.3g}</text>\n", left - 3, top + ph, y0);
  svg += fmt::format("<text x=\"{}\" y=\"{}\">{:g}</text>\n", left, style.height - 6, x0);
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{:g}</text>\n", left + pw, style.height - 6, x1);
  double last = s.y.back();  // the last finite raw value, not a bin average
  for (auto it = series.y.rbegin(); it != series.y.rend(); ++it)
    if (std::isfinite(*it)) {
      last = *it;
      break;
    }
  svg += fmt::format("<text x=\"{}\" y=\"14\" text-anchor=\"end\">last {:.4g}</text>\n", left + pw, last);
  return svg + "</svg>\n";
}

}  // namespace revgan::report
