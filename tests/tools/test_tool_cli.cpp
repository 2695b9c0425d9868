// revgan_infer and revgan_eval as programs: outputs keep names and sizes, usage errors exit 2,
// bad checkpoints and unwritable outputs fail with a message and leave no files behind.
#include <catch2/catch.hpp>

#include "data/image.hpp"
#include "engine/io/checkpoint.hpp"
#include "models/patchgan.hpp"
#include "tests/tools/tool_test_util.hpp"

using namespace revgan;
using test::read_text;
using test::TempDir;

#if defined(REVGAN_INFER_PATH) && defined(REVGAN_EVAL_PATH)

namespace {
int infer(const std::string& args, const std::filesystem::path& log) { return test::run_tool(REVGAN_INFER_PATH, args, log); }
int evaluate(const std::string& args, const std::filesystem::path& log) {
  return test::run_tool(REVGAN_EVAL_PATH, args, log);
}
}  // namespace

TEST_CASE("revgan_infer: translates a folder in both directions, keeping names and sizes", "[tool]") {
  TempDir dir("infer");
  const auto ckpt = dir / "latest.h5";
  test::write_training_checkpoint(test::tiny_revgan_options(), ckpt);
  std::filesystem::create_directories(dir / "in" / "sub");
  data::write_png(test::random_image(37, 23, 3, 1), dir / "in" / "odd.png");
  data::write_jpeg(test::smooth_image(20, 12, 3, 2), dir / "in" / "sub" / "photo.jpg");
  const auto log = dir / "log.txt";
  for (const char* direction : {"AtoB", "BtoA"}) {
    const auto out = dir / direction;
    REQUIRE(infer(fmt::format("--checkpoint '{}' --input '{}' --output '{}' --direction {} --batch 2", ckpt.string(),
                              (dir / "in").string(), out.string(), direction),
                  log) == 0);
    INFO(read_text(log));
    REQUIRE_THAT(read_text(log), Catch::Contains("2/2 images"));
    const data::Image odd = data::read_image(out / "odd.png");
    REQUIRE((odd.width == 37 && odd.height == 23 && odd.channels == 3));
    const data::Image photo = data::read_image(out / "sub" / "photo.png");
    REQUIRE((photo.width == 20 && photo.height == 12));
    REQUIRE(test::count_files(out) == 2);  // no temporary files left
  }
  REQUIRE_THAT(read_text(log), Catch::Contains("(2 whole, 0 in exact tiles)"));
  // One file, JPEG output, tiled.
  REQUIRE(infer(fmt::format("--checkpoint '{}' --input '{}' --output '{}' --format jpg --tile 16 --quiet",
                            ckpt.string(), (dir / "in" / "odd.png").string(), (dir / "one").string()),
                log) == 0);
  REQUIRE(data::read_image(dir / "one" / "odd.jpg").width == 37);
  REQUIRE_THAT(read_text(log), Catch::Contains("(0 whole, 1 in exact tiles)"));
}

TEST_CASE("revgan_infer: usage errors exit 2, runtime errors exit 1 with a message", "[tool]") {
  TempDir dir("infer-bad");
  const auto log = dir / "log.txt";
  REQUIRE(infer("--help", log) == 0);
  REQUIRE_THAT(read_text(log), Catch::Contains("--checkpoint"));
  REQUIRE(infer("--checkpoint a --input b --output c --frobnicate 1", log) == 2);
  REQUIRE_THAT(read_text(log), Catch::Contains("unknown option '--frobnicate'"));
  REQUIRE(infer("--input b --output c", log) == 2);
  REQUIRE(infer("--checkpoint a --input b --output c --direction sideways", log) == 2);
  REQUIRE(infer("--checkpoint a --input b --output c --tile 30", log) == 2);
  REQUIRE(infer("--checkpoint a --input b --output c --max_memory 12Q", log) == 2);
  REQUIRE_THAT(read_text(log), Catch::Contains("option max_memory: unknown unit 'Q'"));
  REQUIRE(infer("--checkpoint a --input b --output c --max_memory lots", log) == 2);
  REQUIRE_THAT(read_text(log), Catch::Contains("option max_memory: expected a size"));
  REQUIRE(infer("--input b --output c", log) == 2);
  REQUIRE_THAT(read_text(log), Catch::Contains("--checkpoint is required"));
  REQUIRE(infer("--checkpoint a.h5 --input b --output c --netG resnet_9blocks", log) == 2);
  REQUIRE_THAT(read_text(log), Catch::Contains("applies to .pth checkpoints only"));
  REQUIRE(infer("--checkpoint a --input b --output c --overlap 8", log) == 2);  // exact tiles need no overlap
  REQUIRE(infer("--checkpoint a --input b --output c --device tpu", log) == 2);

  data::write_png(test::random_image(8, 8, 3, 1), dir / "img.png");
  const std::string io = fmt::format("--input '{}' --output '{}'", (dir / "img.png").string(), (dir / "out").string());
  // A missing checkpoint.
  REQUIRE(infer(fmt::format("--checkpoint '{}' {}", (dir / "nope.h5").string(), io), log) == 1);
  REQUIRE_THAT(read_text(log), Catch::Contains("nope.h5' does not exist"));
  // Not a checkpoint at all.
  test::write_text(dir / "junk.h5", "not hdf5");
  REQUIRE(infer(fmt::format("--checkpoint '{}' {}", (dir / "junk.h5").string(), io), log) == 1);
  REQUIRE_THAT(read_text(log), Catch::Contains("junk.h5"));
  // A checkpoint whose stored options describe other networks than the file holds.
  models::PatchGan d(models::PatchGanOptions{});
  io::CheckpointMeta meta;
  meta.config = training::options_to_json(test::tiny_revgan_options());
  io::save_checkpoint((dir / "other.h5").string(), d, nullptr, meta);
  REQUIRE(infer(fmt::format("--checkpoint '{}' {}", (dir / "other.h5").string(), io), log) == 1);
  REQUIRE_THAT(read_text(log), Catch::Contains("another architecture"));
  // A checkpoint of a one-way model has no BtoA.
  test::write_training_checkpoint(test::tiny_revgan_options("pix2pix"), dir / "p2p.h5");
  REQUIRE(infer(fmt::format("--checkpoint '{}' {} --direction BtoA", (dir / "p2p.h5").string(), io), log) == 1);
  REQUIRE_THAT(read_text(log), Catch::Contains("BtoA does not exist"));
  // A budget not even the smallest tiles fit: no output is written.
  REQUIRE(infer(fmt::format("--checkpoint '{}' --input '{}' --output '{}' --max_memory 1K", (dir / "p2p.h5").string(),
                            (dir / "img.png").string(), (dir / "small").string()),
                log) == 1);
  REQUIRE_THAT(read_text(log), Catch::Contains("not enough memory"));
  REQUIRE(test::count_files(dir / "small") == 0);
  REQUIRE(!std::filesystem::exists(dir / "out"));
}

TEST_CASE("revgan_infer: an unwritable output folder fails before writing anything", "[tool]") {
  TempDir dir("infer-ro");
  const auto ckpt = dir / "latest.h5";
  test::write_training_checkpoint(test::tiny_revgan_options(), ckpt);
  std::filesystem::create_directories(dir / "in");
  data::write_png(test::random_image(8, 8, 3, 1), dir / "in" / "a.png");
  test::write_text(dir / "blocker", "a file where a folder should be");
  const auto log = dir / "log.txt";
  const std::size_t before = test::count_files(dir.path());
  REQUIRE(infer(fmt::format("--checkpoint '{}' --input '{}' --output '{}'", ckpt.string(), (dir / "in").string(),
                            (dir / "blocker" / "out").string()),
                log) == 1);
  REQUIRE_THAT(read_text(log), Catch::Contains("cannot create the output folder"));
  REQUIRE(test::count_files(dir.path()) == before + 1);  // only the log
}

TEST_CASE("revgan_eval: identical folders, JSON conventions and usage errors", "[tool]") {
  TempDir dir("eval-tool");
  std::filesystem::create_directories(dir / "a");
  data::write_png(test::random_image(16, 16, 3, 1), dir / "a" / "x.png");
  const auto log = dir / "log.txt";
  const auto json = dir / "out.json";
  REQUIRE(evaluate(fmt::format("--pred '{0}' --truth '{0}' --kind images --json '{1}'", (dir / "a").string(),
                               json.string()),
                   log) == 0);
  const std::string j = read_text(json);
  REQUIRE_THAT(j, Catch::Contains("\"psnr\": \"inf\""));
  REQUIRE_THAT(j, Catch::Contains("\"ssim\": 1"));
  REQUIRE_THAT(j, Catch::Contains("\"mae\": 0"));
  REQUIRE(evaluate(fmt::format("--pred '{0}' --truth '{0}' --kind labels", (dir / "a").string()), log) == 0);
  REQUIRE_THAT(read_text(log), Catch::Contains("mean IoU             1.0000"));
  REQUIRE(evaluate("--pred a --truth b --kind images --bogus", log) == 2);
  REQUIRE(evaluate("--pred a --truth b", log) == 2);
  REQUIRE(evaluate("--pred a --truth b --kind sounds", log) == 2);
  REQUIRE(evaluate(fmt::format("--pred '{}' --truth '{}' --kind images", (dir / "a").string(), (dir / "missing").string()),
                   log) == 1);
  REQUIRE_THAT(read_text(log), Catch::Contains("does not exist"));
}

#endif
