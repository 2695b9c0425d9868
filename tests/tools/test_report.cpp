// The reporting observer: sample grids, loss history (live and from loss_log.csv), SVG charts
// and the atomically replaced HTML page.
#include <catch2/catch.hpp>

#include <cmath>

#include "tests/support/random_tensor.hpp"
#include "tests/tools/tool_test_util.hpp"
#include "tools/report/markup_escape.hpp"
#include "tools/report/report_observer.hpp"
#include "tools/report/sample_grid.hpp"
#include "tools/report/svg_chart.hpp"

using namespace revgan;

namespace {
training::Visuals paired_visuals(int64_t n, int64_t size) {
  training::Visuals v;
  uint64_t seed = 1;
  for (const char* name : {"real_A", "fake_B", "real_B", "fake_A"})
    v.emplace_back(name, test::random_uniform({n, 3, size, size}, seed++, -1, 1, DType::float32));
  return v;
}
}  // namespace

TEST_CASE("sample grid: one row per direction and element, values mapped to 8 bits", "[tool]") {
  training::Visuals v = paired_visuals(2, 8);
  v.emplace_back("extra", test::random_uniform({2, 1, 8, 8}, 9, -1, 1, DType::float32));
  const report::SampleGrid g = report::make_sample_grid(v, 4, 2);
  REQUIRE(g.rows.size() == 6);  // (A, B, others) x 2 elements
  REQUIRE(g.rows[0] == std::vector<std::string>{"real_A", "fake_B"});
  REQUIRE(g.rows[1] == std::vector<std::string>{"real_B", "fake_A"});
  REQUIRE(g.rows[2] == std::vector<std::string>{"extra"});
  REQUIRE(g.image.width == 2 * 8 + 3 * 2);
  REQUIRE(g.image.height == 6 * 8 + 7 * 2);
  // -1 -> 0, 1 -> 255.
  const Tensor t = test::from_values({1, 1, 1, 2}, {-1, 1}, DType::float32);
  const data::Image img = report::visual_to_image(t, 0);
  REQUIRE((img.at(0, 0, 0) == 0 && img.at(0, 1, 2) == 255));
}

TEST_CASE("svg chart: a polyline per series, non-finite values skipped, long series binned", "[tool]") {
  report::Series s{"G_L1_A", {}, {}};
  for (int i = 0; i < 1000; ++i) {
    s.x.push_back(i);
    s.y.push_back(i == 10 ? std::nan("") : 100.0 / (1 + i));
  }
  REQUIRE(report::downsample(s, 100).y.size() == 100);
  const std::string svg = report::svg_line_chart(s);
  REQUIRE_THAT(svg, Catch::Contains("<polyline"));
  REQUIRE_THAT(svg, Catch::Contains("G_L1_A"));
  REQUIRE_THAT(svg, !Catch::Contains("nan"));
  REQUIRE_THAT(report::svg_line_chart(report::Series{"empty", {}, {}}), Catch::Contains("no data"));
  // Names are escaped in the chart as in the page.
  REQUIRE_THAT(report::svg_line_chart(report::Series{"a<b & \"c\">", {0, 1}, {1, 2}}),
               Catch::Contains("a&lt;b &amp; &quot;c&quot;&gt;") && !Catch::Contains("a<b"));
  REQUIRE(report::markup_escape("<p class=\"x\">&</p>") == "&lt;p class=&quot;x&quot;&gt;&amp;&lt;/p&gt;");
}

TEST_CASE("loss history: resumed runs read loss_log.csv and drop steps they redo", "[tool]") {
  test::TempDir dir("history");
  test::write_text(dir / "loss_log.csv",
                   "epoch,epoch_iter,total_iters,lr,seconds,G,D_A\n1,1,1,0.0002,0.1,3.0,0.5\n1,2,2,0.0002,0.2,2.5,0.4\n"
                   "1,3,3,0.0002,0.3,2.0,0.3\n1,4,4,0.00");  // the last line was cut by a crash
  report::LossHistory h;
  REQUIRE(h.load_csv(dir / "loss_log.csv"));
  REQUIRE(h.names() == std::vector<std::string>{"G", "D_A"});
  REQUIRE(h.size() == 3);
  h.add(2, {{"G", 9.0}, {"D_A", 1.0}});  // resumed from the checkpoint after step 1
  REQUIRE(h.size() == 2);
  REQUIRE(h.series("G").y == std::vector<double>{3.0, 9.0});
  REQUIRE(!h.load_csv(dir / "absent.csv"));
}

TEST_CASE("report observer: grids every sample, HTML at epoch end, nothing half-written", "[tool]") {
  test::TempDir dir("report");
  training::TrainOptions o = test::tiny_revgan_options();
  o.checkpoints_dir = dir.path().string();
  o.name = "run";
  auto observer = report::make_report_observer(o);
  observer->on_train_begin(o, false);
  training::IterationInfo info;
  info.epoch = 1;
  info.last_epoch = 2;
  info.iters_per_epoch = 4;
  for (int64_t i = 1; i <= 4; ++i) {
    info.epoch_iter = i;
    info.total_iters = i;
    training::StepLosses l;
    l.set("G", 10.0 / static_cast<double>(i));
    l.set("D_A", 0.5);
    observer->on_iteration(info, l);
    if (i % 2 == 0) observer->on_sample(info, paired_visuals(1, 8));
  }
  observer->on_epoch_end(1, info);
  const auto run = dir / "run";
  REQUIRE(std::filesystem::exists(run / "samples" / "epoch001_iter00000002.png"));
  REQUIRE(std::filesystem::exists(run / "samples" / "epoch001_iter00000004.png"));
  const data::Image grid = data::read_image(run / "samples" / "epoch001_iter00000004.png");
  REQUIRE((grid.width == 2 * 8 + 3 * 2 && grid.height == 2 * 8 + 3 * 2));
  std::string html = test::read_text(run / "index.html");
  REQUIRE_THAT(html, Catch::Contains("samples/epoch001_iter00000004.png"));
  REQUIRE_THAT(html, Catch::Contains("<polyline"));
  REQUIRE_THAT(html, Catch::Contains("rows: real_A fake_B | real_B fake_A"));
  REQUIRE_THAT(html, Catch::Contains("http-equiv=\"refresh\""));
  // The newest grid comes first.
  REQUIRE(html.find("iter00000004") < html.find("iter00000002"));
  observer->on_train_end(false);
  html = test::read_text(run / "index.html");
  REQUIRE_THAT(html, Catch::Contains("finished"));
  REQUIRE_THAT(html, !Catch::Contains("http-equiv"));
  REQUIRE(test::count_files(run) == 3);  // two grids and the page: no temporary files
}
