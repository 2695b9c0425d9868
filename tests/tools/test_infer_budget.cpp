// revgan_infer --max_memory: sizes as written on the command line; an image whose whole-image
// estimate exceeds the budget runs in exact tiles without --tile, and the summary line says so.
#include <catch2/catch.hpp>

#include "data/image.hpp"
#include "tests/tools/tool_test_util.hpp"
#include "engine/core/byte_size.hpp"
#include "engine/core/check.hpp"
#include "tools/infer/translator.hpp"

TEST_CASE("revgan_infer --max_memory sizes: binary units, fractions, plain bytes, nonsense refused", "[tool]") {
  const auto parse_bytes = [](const char* option, const std::string& text) { return revgan::parse_byte_size(option, text); };
  REQUIRE(parse_bytes("--max_memory", "8G") == int64_t{8} << 30);
  REQUIRE(parse_bytes("--max_memory", "1.5GiB") == int64_t{3} << 29);
  REQUIRE(parse_bytes("--max_memory", "512m") == int64_t{512} << 20);
  REQUIRE(parse_bytes("--max_memory", "64KB") == int64_t{64} << 10);
  REQUIRE(parse_bytes("--max_memory", "1T") == int64_t{1} << 40);
  REQUIRE(parse_bytes("--max_memory", "1000000") == 1000000);
  REQUIRE(parse_bytes("--max_memory", "100B") == 100);
  for (const char* bad : {"", "G", "12Q", "-1G", "0", "8 G", "1e30"})
    REQUIRE_THROWS_AS(parse_bytes("--max_memory", bad), revgan::Error);
}

#if defined(REVGAN_INFER_PATH)

TEST_CASE("revgan_infer: a budget the whole image does not fit runs it in exact tiles", "[tool]") {
  using namespace revgan;
  test::TempDir dir("infer-budget");
  const auto ckpt = dir / "latest.h5";
  test::write_training_checkpoint(test::tiny_revgan_options(), ckpt);
  data::write_png(test::smooth_image(240, 136, 3, 4), dir / "large.png");
  // The plans the tool will compute: whole with room to spare, tiles one byte short of whole.
  const infer::Translator translator = infer::Translator::from_checkpoint(ckpt, true, Device::cpu());
  infer::TileOptions tiles;
  tiles.max_memory = int64_t{1} << 40;
  const infer::ExecutionPlan whole = translator.plan(240, 136, tiles);
  REQUIRE(!whole.tiled);
  tiles.max_memory = whole.whole_bytes - 1;
  const infer::ExecutionPlan tiled = translator.plan(240, 136, tiles);
  REQUIRE(tiled.tiled);
  const auto log = dir / "log.txt";
  for (const auto& [budget, summary] : {std::pair{whole.whole_bytes, "(1 whole, 0 in exact tiles)"},
                                        std::pair{tiled.tiled_bytes, "(0 whole, 1 in exact tiles)"}}) {
    const int rc =
        test::run_tool(REVGAN_INFER_PATH,
                       fmt::format("--checkpoint '{}' --input '{}' --output '{}' --max_memory {}", ckpt.string(),
                                   (dir / "large.png").string(), (dir / "out").string(), budget),
                       log);
    INFO(test::read_text(log));
    REQUIRE(rc == 0);
    REQUIRE_THAT(test::read_text(log), Catch::Contains(summary));
    REQUIRE(data::read_image(dir / "out" / "large.png").width == 240);
  }
}

#endif
