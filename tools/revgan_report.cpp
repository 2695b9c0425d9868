// revgan_report: (re)builds a run's HTML report (checkpoints_dir/name/index.html) from its
// train_opt.json, loss_log.csv and sample grids, e.g. for runs trained without the observer.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/core/check.hpp"
#include "training/options.hpp"
#include "tools/common/tool_args.hpp"
#include "tools/report/report_observer.hpp"

namespace {

struct ReportArgs {
  std::string run;
};

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const revgan::OptionTable<ReportArgs> table({
      {"run", &ReportArgs::run, "a run folder (checkpoints_dir/name) (required)", nullptr, "DIR"},
  });
  const auto args = revgan::tools::parse_tool_args<ReportArgs>(
      "revgan_report",
      "usage: revgan_report --run DIR\n"
      "Writes DIR/index.html (atomically): the newest sample grids of DIR/samples/, one SVG loss\n"
      "chart per column of DIR/loss_log.csv and the options of DIR/train_opt.json.\n"
      "Exit status: 0 success, 1 error (message on stderr), 2 usage error.\n",
      table, argc, argv, [](const auto& parsed) { REVGAN_CHECK(parsed.was_given("run"), "--run DIR is required"); });
  if (!args.options) return args.exit_code;
  const fs::path run = args.options->run;
  try {
    std::error_code ec;
    REVGAN_CHECK(fs::is_directory(run, ec), "run folder '{}' does not exist", run.string());
    REVGAN_CHECK(fs::exists(run / "loss_log.csv", ec), "'{}' has no loss_log.csv (not a revgan_train run folder?)",
                 run.string());
    revgan::training::TrainOptions options;
    options.name = fs::absolute(run).lexically_normal().filename().string();
    if (std::ifstream in(run / "train_opt.json"); in) {
      std::stringstream text;
      text << in.rdbuf();
      options = revgan::training::options_from_json(text.str());
    }
    revgan::report::ReportOptions r;
    r.run_dir = run;
    revgan::report::ReportObserver report(r);
    report.on_train_begin(options, true);  // "resumed": reads loss_log.csv
    report.set_state("report of the run's files");
    report.write_report();
    fmt::print("revgan_report: wrote {} ({} logged steps)\n", (run / "index.html").string(), report.history().size());
    return 0;
  } catch (const revgan::Error& e) {
    fmt::print(stderr, "revgan_report: error: {}\n", e.message());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "revgan_report: error: {}\n", e.what());
    return 1;
  }
}
