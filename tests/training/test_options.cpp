// TrainOptions: defaults, model-dependent defaults, JSON round trip, config files and the
// command-line grammar (unknown options, flags, precedence).
#include <catch2/catch.hpp>

#include <functional>

#include "engine/core/check.hpp"
#include "training/flat_json.hpp"
#include "training/options.hpp"
#include "tests/training/training_test_util.hpp"

using namespace revgan;
using training::TrainOptions;

namespace {
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("train options: framework defaults and defaults chosen by model", "[tool]") {
  const TrainOptions d;
  CHECK(d.checkpoints_dir == "./checkpoints");
  CHECK(d.lr == 0.0002);
  CHECK(d.beta1 == 0.5);
  CHECK(d.n_epochs == 100);
  CHECK(d.n_epochs_decay == 100);
  CHECK(d.lambda_A == 10);
  CHECK(d.lambda_identity == 0.5);
  CHECK(d.lambda_L1 == 100);
  CHECK(d.pool_size == 50);
  CHECK(d.load_size == 286);
  CHECK(d.crop_size == 256);
  CHECK(d.batch_size == 1);
  CHECK(d.save_epoch_freq == 5);
  CHECK(d.memory_saving);

  const TrainOptions unpaired = training::resolve_options(d).get();
  CHECK(unpaired.gan_mode == "lsgan");
  CHECK(unpaired.depth == 9);
  CHECK(unpaired.dataset_mode == "unaligned");
  TrainOptions p;
  p.model = "revgan_paired";
  const TrainOptions paired = training::resolve_options(p).get();
  CHECK(paired.gan_mode == "vanilla");
  CHECK(paired.dataset_mode == "aligned");
  p.gan_mode = "lsgan";  // given: kept
  CHECK(training::resolve_options(p)->gan_mode == "lsgan");
  p.model = "revgan3d_unpaired";
  p.ngf = 32;
  CHECK(training::resolve_options(p)->depth == 6);
  CHECK(training::resolve_options(p)->n_layers_D == 2);

  TrainOptions bad;
  bad.model = "stylegan";
  CHECK_THAT(error_of([&] { training::resolve_options(bad); }), Catch::Contains("stylegan"));
  bad = TrainOptions{};
  bad.beta1 = 1.5;
  CHECK_THAT(error_of([&] { training::resolve_options(bad); }), Catch::Contains("beta1"));
  bad = TrainOptions{};
  bad.output_nc = 1;  // identity loss needs equal channel counts
  CHECK_THAT(error_of([&] { training::resolve_options(bad); }), Catch::Contains("lambda_identity"));
  bad.lambda_identity = 0;
  CHECK_NOTHROW(training::resolve_options(bad));
}

TEST_CASE("train options: --netD basic, n_layers or pixel, compared on resume like the other network options",
          "[tool]") {
  TrainOptions o;
  CHECK(o.netD == "n_layers");  // today's PatchGAN; checkpoints written before --netD read back as it
  CHECK(training::options_from_json(R"({"ngf": 4})").netD == "n_layers");
  o.model = "revgan3d_unpaired";
  o.netD = "basic";  // their NLayerDiscriminator with n_layers=3, also where the model's default is 2
  const TrainOptions basic = training::resolve_options(o).get();
  CHECK(basic.netD == "n_layers");
  CHECK(basic.n_layers_D == 3);
  o.n_layers_D = 4;
  CHECK_THAT(error_of([&] { training::resolve_options(o); }),
             Catch::Contains("n_layers_D") && Catch::Contains("--netD basic"));
  o.netD = "pixel";
  CHECK(training::resolve_options(o)->netD == "pixel");
  o.netD = "patch";
  CHECK_THAT(error_of([&] { training::resolve_options(o); }),
             Catch::Contains("option netD") && Catch::Contains("patch"));

  TrainOptions plain, pixel, three;
  pixel.netD = "pixel";
  three.netD = "basic";
  const auto resolved = [](const TrainOptions& x) { return training::resolve_options(x).get(); };
  CHECK(training::differing_network_options(resolved(pixel), resolved(plain)) ==
        std::vector<std::string>{"--netD pixel in the checkpoint vs --netD n_layers given"});
  CHECK(training::differing_network_options(resolved(three), resolved(plain)).empty());
}

TEST_CASE("train options: JSON round trip of every field", "[tool]") {
  TrainOptions o;
  o.dataroot = "/data/with \"quotes\" and \\ back\nslash \xc3\xa9";
  o.name = "exp";
  o.model = "cyclegan";
  o.ngf = 7;
  o.lr = 1.0 / 3.0;
  o.beta1 = 0.25;
  o.lambda_identity = 0;
  o.no_flip = true;
  o.memory_saving = false;
  o.seed = 18446744073709551615ull;
  o.max_dataset_size = 9;
  o.gan_mode = "vanilla";
  const std::string json = training::options_to_json(o);
  const TrainOptions back = training::options_from_json(json);
  CHECK(training::options_to_json(back) == json);
  CHECK(back.dataroot == o.dataroot);
  CHECK(back.lr == o.lr);  // shortest round-trip formatting loses nothing
  CHECK(back.seed == o.seed);
  CHECK_FALSE(back.memory_saving);
  CHECK(back.no_flip);
  // Defaults survive too (max_dataset_size is int64 max).
  CHECK(training::options_from_json(training::options_to_json(TrainOptions{})).max_dataset_size ==
        TrainOptions{}.max_dataset_size);

  CHECK_THAT(error_of([] { training::options_from_json(R"({"ngf": "wide"})"); }), Catch::Contains("ngf"));
  CHECK_THAT(error_of([] { training::options_from_json(R"({"colour": 1})"); }), Catch::Contains("colour"));
  CHECK_THAT(error_of([] { training::options_from_json(R"({"ngf": 4,})"); }), Catch::Contains("offset"));
  CHECK_THAT(error_of([] { training::options_from_json(R"({"ngf": {"a": 1}})"); }), Catch::Contains("nested"));
  CHECK_THAT(error_of([] { training::options_from_json(R"({"ngf": 4, "ngf": 5})"); }), Catch::Contains("duplicate"));
}

TEST_CASE("flat JSON: escapes and numbers", "[tool]") {
  const auto j = training::parse_flat_json(R"( {"a": "x\u00e9\ud83d\ude00\t", "b": -1.5e3, "c": false, "d": null} )");
  REQUIRE(j.size() == 4);
  CHECK(j[0].second.text == "x\xc3\xa9\xf0\x9f\x98\x80\t");
  CHECK(j[1].second.text == "-1.5e3");
  CHECK(j[2].second.kind == training::JsonScalar::Kind::boolean);
  CHECK(j[3].second.kind == training::JsonScalar::Kind::null);
  CHECK(training::parse_flat_json(training::write_flat_json(j)).size() == 4);
  CHECK_THROWS(training::parse_flat_json(R"({"a": 01})"));
  CHECK_THROWS(training::parse_flat_json(R"({"a": 1} x)"));
  CHECK_THROWS(training::parse_flat_json(R"({"a": "unterminated)"));
}

TEST_CASE("train options: command line grammar and unknown options", "[tool]") {
  using Args = std::vector<std::string>;
  auto parse = [](const Args& a) { return training::parse_train_args(a).options; };
  const TrainOptions o = parse({"--dataroot", "/d", "--ngf=16", "--no_flip", "--no_memory_saving", "--lr", "1e-3",
                                "--serial_batches=false", "--model", "pix2pix"});
  CHECK(o.dataroot == "/d");
  CHECK(o.ngf == 16);
  CHECK(o.no_flip);
  CHECK_FALSE(o.memory_saving);
  CHECK(o.lr == 1e-3);
  CHECK_FALSE(o.serial_batches);
  CHECK(o.model == "pix2pix");
  CHECK(training::parse_train_args({"--frobnicate", "--help"}).help);

  CHECK_THAT(error_of([&] { parse({"--frobnicate", "3"}); }), Catch::Contains("--frobnicate"));
  CHECK_THAT(error_of([&] { parse({"--ngf", "wide"}); }), Catch::Contains("--ngf") && Catch::Contains("wide"));
  CHECK_THAT(error_of([&] { parse({"--ngf"}); }), Catch::Contains("missing value"));
  CHECK_THAT(error_of([&] { parse({"stray"}); }), Catch::Contains("stray"));
  CHECK_THAT(error_of([&] { parse({"--lr", "nan"}); }), Catch::Contains("--lr"));
  CHECK_THAT(error_of([&] { parse({"--no_memory_saving=1"}); }), Catch::Contains("takes no value"));
  CHECK(parse({"--no_flip=true"}).no_flip);  // no_flip is itself a flag

  const std::string help = training::train_options_help("revgan_train");
  for (const char* needle : {"--dataroot", "--lambda_identity", "(default: 0.5)", "(default: 0.0002)",
                             "--[no_]memory_saving", "--config FILE", "(default: './checkpoints')", "lsgan"})
    CHECK_THAT(help, Catch::Contains(needle));
}

TEST_CASE("train options: config files under command-line arguments", "[tool]") {
  test::TempDir dir("train-config");
  const auto kv = dir / "run.cfg";
  test::write_text(kv, "# a comment\nngf = 12\nname = \"from file # not a comment\"\n\nno_flip = true  # trailing\n");
  auto o = training::parse_train_args({"--ngf", "20", "--config", kv.string()}).options;
  CHECK(o.ngf == 20);  // the command line wins whatever the order
  CHECK(o.name == "from file # not a comment");
  CHECK(o.no_flip);
  CHECK(o.config == kv.string());

  const auto js = dir / "run.json";
  TrainOptions saved;
  saved.ndf = 33;
  test::write_text(js, training::options_to_json(saved));
  CHECK(training::parse_train_args({"--config=" + js.string()}).options.ndf == 33);

  test::write_text(kv, "ngf = 3\nbogus = 1\n");
  CHECK_THAT(error_of([&] { training::parse_train_args({"--config", kv.string()}); }),
             Catch::Contains("line 2") && Catch::Contains("bogus"));
  test::write_text(kv, "just words\n");
  CHECK_THAT(error_of([&] { training::parse_train_args({"--config", kv.string()}); }), Catch::Contains("key = value"));
  CHECK_THAT(error_of([&] { training::parse_train_args({"--config", (dir / "absent").string()}); }),
             Catch::Contains("absent"));
}

TEST_CASE("train options: the Colin27 super-resolution recipe parses to its choices, the paper's stay default",
          "[tool]") {
  const auto conf = std::filesystem::path(REVGAN_TEST_DATA_DIR) / ".." / "configs" / "colin27_sr2x.conf";
  const TrainOptions o =
      training::parse_train_args({"--config", conf.string(), "--dataroot", "colin/train"}).options;
  CHECK(o.model == "revgan3d_paired");
  CHECK(o.dataroot == "colin/train");
  CHECK(o.global_residual);
  CHECK(o.norm == "none");
  CHECK(o.upsample == "cubic");
  CHECK(o.lambda_GAN == 0.0);
  CHECK_FALSE(o.intensity_clamp);
  CHECK_NOTHROW(training::resolve_options(o));
  // Without the file: the supplementary's generator and losses.
  const TrainOptions paper;
  CHECK_FALSE(paper.global_residual);
  CHECK(paper.norm == "instance");
  CHECK(paper.upsample == "trilinear");
  CHECK(paper.lambda_GAN == 1.0);
  CHECK(paper.intensity_clamp);
}
