// HTML assembly; styles are inline so the page is a single file.
#include "tools/report/html_report.hpp"

#include <fmt/format.h>

#include "tools/report/markup_escape.hpp"

namespace revgan::report {

std::string render_report(const ReportPage& page) {
  std::string h = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n{}<title>{}</title>\n"
      "<style>body{{font-family:sans-serif;margin:1.5em;color:#222}} img{{image-rendering:pixelated;"
      "border:1px solid #ccc;max-width:100%}} figure{{display:inline-block;margin:0 1em 1em 0;"
      "vertical-align:top}} figcaption{{font-size:12px;color:#555}} .charts svg{{margin:0 8px 8px 0}} "
      "pre{{background:#f4f4f4;padding:8px;font-size:12px;white-space:pre-wrap}}</style>\n</head>\n<body>\n",
      page.refresh ? "<meta http-equiv=\"refresh\" content=\"60\">\n" : "", markup_escape(page.title));
  h += fmt::format("<h1>{}</h1>\n<p>{}</p>\n", markup_escape(page.title), markup_escape(page.status));

  h += "<h2>Latest samples</h2>\n";
  if (page.grids.empty()) h += "<p>No sample grids yet.</p>\n";
  for (const GridEntry& g : page.grids)
    h += fmt::format("<figure><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>\n",
                     markup_escape(g.file), markup_escape(g.file), markup_escape(g.caption));

  h += "<h2>Losses</h2>\n<div class=\"charts\">\n";
  if (page.losses == nullptr || page.losses->size() == 0) h += "<p>No losses recorded yet.</p>\n";
  if (page.losses != nullptr && page.losses->size() > 0)
    for (const std::string& name : page.losses->names()) h += svg_line_chart(page.losses->series(name));
  h += "</div>\n<p style=\"font-size:12px;color:#555\">x: training iteration; long runs are averaged into "
       "at most 400 points per curve.</p>\n";

  if (!page.options_json.empty())
    h += fmt::format("<h2>Options</h2>\n<pre>{}</pre>\n", markup_escape(page.options_json));
  return h + "</body>\n</html>\n";
}

}  // namespace revgan::report
