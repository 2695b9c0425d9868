// The revgan_datagen command line: --help, exit code 2 for usage errors, 1 for engine errors,
// and a small generated dataset that the dataset classes can read.
#include <catch2/catch.hpp>

#include "data/dataset.hpp"
#include "tests/data/data_test_util.hpp"
#include "tests/support/subprocess.hpp"

using namespace revgan;
using revgan::test::read_text;
using revgan::test::TempDir;

#ifdef REVGAN_DATAGEN_PATH
namespace {
int run_tool(const std::string& args, const std::filesystem::path& log) {
  return test::run_tool(REVGAN_DATAGEN_PATH, args, log);
}
}  // namespace

TEST_CASE("revgan_datagen: help, usage errors and a small run", "[data]") {
  TempDir dir("datagen");
  const auto log = dir / "log.txt";
  REQUIRE(run_tool("--help", log) == 0);
  const std::string help = read_text(log);
  for (const char* opt : {"--out", "--kind", "--size", "--train", "--test", "--seed", "(default: 128)", "(default: 200)",
                          "(default: 50)", "(default: 1)"})
    REQUIRE_THAT(help, Catch::Contains(opt));
  REQUIRE(run_tool("--out x --frobnicate 3", log) == 2);
  REQUIRE_THAT(read_text(log), Catch::Contains("--frobnicate"));
  REQUIRE(run_tool("--out x --kind sideways", log) == 2);
  REQUIRE(run_tool("--out x --size 12", log) == 2);
  REQUIRE(run_tool("", log) == 2);
  // An engine error (unwritable output) is caught at main and printed.
  test::write_text(dir / "file", "x");
  REQUIRE(run_tool(fmt::format("--out '{}' --train 1 --test 0", (dir / "file" / "sub").string()), log) == 1);
  REQUIRE_THAT(read_text(log), Catch::Contains("cannot create folder"));

  const auto out = dir / "both";
  REQUIRE(run_tool(fmt::format("--out '{}' --kind both --size 64 --train 3 --test 2 --seed 4", out.string()), log) == 0);
  data::DatasetOptions o;
  o.dataroot = out / "aligned";
  o.preprocess = data::Preprocess::none;
  REQUIRE(data::AlignedDataset(o).size() == 3);
  o.dataroot = out / "unaligned";
  o.phase = "test";
  data::UnalignedDataset unaligned(o);
  REQUIRE(unaligned.size() == 2);
  REQUIRE(unaligned.get(1).A.shape() == Shape{3, 64, 64});
}
#endif
