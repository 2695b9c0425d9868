// Checkpoints: bit-exact round trips, clear errors for every kind of mismatch or damage,
// atomic replacement (a failed or killed save never leaves a half-written file), h5dump.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/io/atomic_file.hpp"
#include "engine/io/checkpoint.hpp"
#include "engine/nn/init.hpp"
#include "engine/tensor/factory.hpp"

using namespace revgan;
namespace fs = std::filesystem;

namespace {

// A conv-shaped module built from plain parameters, so these tests need no conv kernels.
class Leaf : public nn::Module {
 public:
  Leaf(int64_t out, int64_t in, bool bias = true, DType dtype = DType::float32) {
    register_parameter("weight", Shape{out, in, 3, 3}, dtype);
    if (bias) register_parameter("bias", Shape{out}, dtype);
  }
};

struct NetSpec {
  int64_t conv1_out = 4;
  bool with_head = true;
  bool extra_param = false;
  DType scale_dtype = DType::float64;
};

class Net : public nn::Module {
 public:
  explicit Net(const NetSpec& spec = {}) {
    register_parameter("scale", Shape{2}, spec.scale_dtype);
    auto enc = register_module("enc_x", std::make_shared<nn::Module>());
    enc->register_module("conv1", std::make_shared<Leaf>(spec.conv1_out, 3));
    enc->register_module("conv2", std::make_shared<Leaf>(2, spec.conv1_out, false));
    if (spec.with_head) register_module("head", std::make_shared<Leaf>(1, 2));
    if (spec.extra_param) register_parameter("extra", Shape{3});
  }
};

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() / fmt::format("revgan-ckpt-{}-{}", ::getpid(), counter++);
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path_)) out.push_back(e.path().filename().string());
    return out;
  }

 private:
  fs::path path_;
};

std::vector<unsigned char> bytes_of(const Tensor& t) {
  std::vector<unsigned char> b(t.nbytes());
  std::memcpy(b.data(), t.raw_data(), b.size());
  return b;
}

void require_same_parameters(const nn::Module& a, const nn::Module& b) {
  auto pa = a.named_parameters(), pb = b.named_parameters();
  REQUIRE(pa.size() == pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    INFO(pa[i].first);
    REQUIRE(pa[i].first == pb[i].first);
    REQUIRE(pa[i].second.dtype() == pb[i].second.dtype());
    REQUIRE(bytes_of(pa[i].second) == bytes_of(pb[i].second));
  }
}

// Random gradients for every parameter, then one Adam step.
void adam_steps(nn::Module& net, optim::Adam& adam, uint64_t seed, int steps) {
  Generator gen(seed);
  for (int s = 0; s < steps; ++s) {
    for (auto& [_, p] : net.named_parameters()) {
      MemoryCategoryScope scope(MemoryCategory::gradients);
      p.set_grad(randn(p.shape(), gen, 0.0, 1.0, p.dtype()));
    }
    adam.step();
  }
}

io::CheckpointMeta sample_meta(int64_t step = 123) {
  io::CheckpointMeta meta;
  meta.step = step;
  meta.epoch = 7;
  meta.config = R"({"model": "revgan3d", "lr": 0.0002, "betas": [0.5, 0.999]})";
  meta.extra = {{"git_commit", "4852c6f"}, {"note", "unicode ok: \u00e9"}};
  return meta;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("checkpoint round trip is bit-exact for parameters, Adam state and meta", "[nn][checkpoint]") {
  TempDir dir;
  const std::string path = dir.file("ckpt.h5");
  Net a;
  Generator ga(1);
  nn::init_normal(a, ga);
  optim::Adam adam_a(a.named_parameters(), optim::AdamOptions{2e-4, 0.5, 0.999, 1e-8});
  adam_steps(a, adam_a, 10, 3);
  io::save_checkpoint(path, a, &adam_a, sample_meta());
  REQUIRE(dir.entries() == std::vector<std::string>{"ckpt.h5"});

  Net b;
  Generator gb(2);
  nn::init_normal(b, gb);
  optim::Adam adam_b(b.named_parameters(), optim::AdamOptions{1e-3, 0.5, 0.999, 1e-8});
  const io::CheckpointMeta meta = io::load_checkpoint(path, b, &adam_b);

  require_same_parameters(a, b);
  REQUIRE(meta.format_version == io::checkpoint_format_version);
  REQUIRE(meta.step == 123);
  REQUIRE(meta.epoch == 7);
  REQUIRE(meta.config == sample_meta().config);
  REQUIRE(meta.extra == sample_meta().extra);
  REQUIRE(adam_b.step_count() == 3);
  REQUIRE(adam_b.lr() == 1e-3);  // the learning rate stays the caller's
  for (const auto& [name, _] : a.named_parameters()) {
    INFO(name);
    const auto* sa = adam_a.state(name);
    const auto* sb = adam_b.state(name);
    REQUIRE(sb != nullptr);
    REQUIRE(sb->step == sa->step);
    REQUIRE(bytes_of(sb->exp_avg) == bytes_of(sa->exp_avg));
    REQUIRE(bytes_of(sb->exp_avg_sq) == bytes_of(sa->exp_avg_sq));
    REQUIRE(sb->exp_avg.storage()->category() == MemoryCategory::optimizer_state);
  }

  // Resuming continues bit for bit.
  adam_b.set_lr(2e-4);
  adam_steps(a, adam_a, 99, 2);
  adam_steps(b, adam_b, 99, 2);
  require_same_parameters(a, b);

  // Weights only: the optimizer section is ignored.
  Net c;
  io::load_checkpoint(path, c, nullptr);
  Net d;
  io::load_checkpoint(path, d, nullptr);
  require_same_parameters(c, d);
}

TEST_CASE("checkpoint keeps state only for parameters Adam has updated", "[nn][checkpoint]") {
  TempDir dir;
  const std::string path = dir.file("partial.h5");
  Net a;
  optim::Adam adam_a(a.named_parameters());
  {
    MemoryCategoryScope scope(MemoryCategory::gradients);
    Tensor p = a.parameter("head.bias");
    p.set_grad(tensor_from_values({1}, {0.5}));
  }
  adam_a.step();
  io::save_checkpoint(path, a, &adam_a, {});
  Net b;
  optim::Adam adam_b(b.named_parameters());
  adam_steps(b, adam_b, 3, 1);  // state that the load must clear
  io::load_checkpoint(path, b, &adam_b);
  REQUIRE(adam_b.state("head.bias") != nullptr);
  REQUIRE(adam_b.state("head.bias")->step == 1);
  REQUIRE(adam_b.state("enc_x.conv1.weight") == nullptr);

  // Without an optimizer section, asking for optimizer state is an error.
  io::save_checkpoint(path, a, nullptr, {});
  REQUIRE_THROWS_WITH(io::load_checkpoint(path, b, &adam_b), Catch::Contains(path) && Catch::Contains("optimizer"));
}

TEST_CASE("checkpoint mismatches give clear errors naming file and parameter", "[nn][checkpoint]") {
  TempDir dir;
  const std::string path = dir.file("model.h5");
  Net saved;
  Generator gen(4);
  nn::init_normal(saved, gen);
  io::save_checkpoint(path, saved, nullptr, sample_meta());

  SECTION("missing parameter") {
    NetSpec spec;
    spec.extra_param = true;
    Net net(spec);
    const std::string e = error_of([&] { io::load_checkpoint(path, net, nullptr); });
    CHECK_THAT(e, Catch::Contains(path) && Catch::Contains("missing") && Catch::Contains("'extra'") &&
                      Catch::Contains("[3]"));
  }
  SECTION("wrong shape") {
    NetSpec spec;
    spec.conv1_out = 5;
    Net net(spec);
    const std::string e = error_of([&] { io::load_checkpoint(path, net, nullptr); });
    CHECK_THAT(e, Catch::Contains(path) && Catch::Contains("enc_x.conv1.weight") &&
                      Catch::Contains("[4, 3, 3, 3] in the file") && Catch::Contains("expected [5, 3, 3, 3]"));
  }
  SECTION("wrong dtype") {
    NetSpec spec;
    spec.scale_dtype = DType::float32;
    Net net(spec);
    const std::string e = error_of([&] { io::load_checkpoint(path, net, nullptr); });
    CHECK_THAT(e, Catch::Contains(path) && Catch::Contains("'scale'") && Catch::Contains("float64 in the file") &&
                      Catch::Contains("expected float32"));
  }
  SECTION("extra parameter in the file") {
    NetSpec spec;
    spec.with_head = false;
    Net net(spec);
    const std::string e = error_of([&] { io::load_checkpoint(path, net, nullptr); });
    CHECK_THAT(e, Catch::Contains(path) && Catch::Contains("head.weight") && Catch::Contains("head.bias") &&
                      Catch::Contains("not in the module"));
  }
  SECTION("a failed load changes nothing") {
    NetSpec spec;
    spec.extra_param = true;
    Net net(spec);
    Generator g2(77);
    nn::init_normal(net, g2);
    const auto before = bytes_of(net.parameter("enc_x.conv1.weight"));
    REQUIRE_THROWS(io::load_checkpoint(path, net, nullptr));
    REQUIRE(bytes_of(net.parameter("enc_x.conv1.weight")) == before);
  }
}

TEST_CASE("damaged or foreign files give a clear error naming the file", "[nn][checkpoint]") {
  TempDir dir;
  Net net;
  const std::string good = dir.file("good.h5");
  io::save_checkpoint(good, net, nullptr, sample_meta());

  SECTION("truncated") {
    const std::string cut = dir.file("cut.h5");
    fs::copy_file(good, cut);
    fs::resize_file(cut, fs::file_size(good) / 2);
    const std::string e = error_of([&] { io::load_checkpoint(cut, net, nullptr); });
    CHECK_THAT(e, Catch::Contains(cut) && Catch::Contains("truncated"));
  }
  SECTION("not HDF5") {
    const std::string text = dir.file("notes.h5");
    std::ofstream(text) << "this is not an HDF5 file\n";
    const std::string e = error_of([&] { io::load_checkpoint(text, net, nullptr); });
    CHECK_THAT(e, Catch::Contains(text) && Catch::Contains("not an HDF5 file"));
  }
  SECTION("empty file") {
    const std::string empty = dir.file("empty.h5");
    { std::ofstream out(empty); }
    CHECK_THAT(error_of([&] { io::load_checkpoint(empty, net, nullptr); }), Catch::Contains(empty));
  }
  SECTION("absent") {
    const std::string absent = dir.file("absent.h5");
    CHECK_THAT(error_of([&] { io::load_checkpoint(absent, net, nullptr); }),
               Catch::Contains(absent) && Catch::Contains("does not exist"));
  }
}

TEST_CASE("a save that fails midway leaves the previous checkpoint and no temp file", "[nn][checkpoint]") {
  TempDir dir;
  const std::string path = dir.file("ckpt.h5");
  Net v1;
  Generator g1(1);
  nn::init_normal(v1, g1);
  io::save_checkpoint(path, v1, nullptr, sample_meta(1));

  Net v2;
  Generator g2(2);
  nn::init_normal(v2, g2);
  std::string seen_temp;
  io::testing::set_before_rename_hook([&](const std::string& temp) {
    seen_temp = temp;
    REQUIRE(fs::exists(temp));
    throw std::runtime_error("simulated failure after writing the temporary file");
  });
  REQUIRE_THROWS_WITH(io::save_checkpoint(path, v2, nullptr, sample_meta(2)), Catch::Contains("simulated failure"));
  io::testing::set_before_rename_hook({});
  REQUIRE(seen_temp == (fs::path(path).parent_path() / fmt::format(".tmp-{}-ckpt.h5", ::getpid())).string());
  REQUIRE(!fs::exists(seen_temp));
  REQUIRE(dir.entries() == std::vector<std::string>{"ckpt.h5"});

  Net loaded;
  REQUIRE(io::load_checkpoint(path, loaded, nullptr).step == 1);
  require_same_parameters(loaded, v1);

  // A temp file that cannot even be created: the error names the checkpoint path.
  const std::string nowhere = dir.file("no/such/dir/ckpt.h5");
  CHECK_THAT(error_of([&] { io::save_checkpoint(nowhere, v2, nullptr, {}); }), Catch::Contains(nowhere));
  // Reserved names cannot be extra attributes.
  io::CheckpointMeta bad;
  bad.extra["epoch"] = "3";
  REQUIRE_THROWS_WITH(io::save_checkpoint(path, v2, nullptr, bad), Catch::Contains("reserved"));
  REQUIRE(io::load_checkpoint(path, loaded, nullptr).step == 1);
}

TEST_CASE("checkpoint is readable by h5dump", "[nn][checkpoint]") {
  if (std::system("command -v h5dump > /dev/null 2>&1") != 0) {
    WARN("h5dump not found; skipping the h5dump check");
    return;
  }
  TempDir dir;
  const std::string path = dir.file("dump.h5");
  Net net;
  optim::Adam adam(net.named_parameters());
  adam_steps(net, adam, 5, 1);
  {
    Tensor scale = net.parameter("scale");
    scale.copy_from(tensor_from_values({2}, {0.5, -1.25}, DType::float64));
  }
  io::save_checkpoint(path, net, &adam, sample_meta());

  const std::string header = dir.file("header.txt");
  REQUIRE(std::system(fmt::format("h5dump -H '{}' > '{}' 2>&1", path, header).c_str()) == 0);
  const std::string h = slurp(header);
  INFO(h);
  for (const char* needle : {"GROUP \"parameters\"", "GROUP \"enc_x\"", "GROUP \"conv1\"", "DATASET \"weight\"",
                             "DATASET \"bias\"", "DATASET \"scale\"", "H5T_IEEE_F32LE", "H5T_IEEE_F64LE",
                             "( 4, 3, 3, 3 )", "GROUP \"optimizer\"", "GROUP \"exp_avg_sq\"",
                             "ATTRIBUTE \"format_version\"", "ATTRIBUTE \"config\"", "ATTRIBUTE \"git_commit\""})
    CHECK_THAT(h, Catch::Contains(needle));

  const std::string data = dir.file("data.txt");
  REQUIRE(std::system(fmt::format("h5dump -d /parameters/scale '{}' > '{}' 2>&1", path, data).c_str()) == 0);
  CHECK_THAT(slurp(data), Catch::Contains("0.5, -1.25"));
}

TEST_CASE("a checkpoint killed mid-save is never half-written", "[nn][checkpoint][kill]") {
  TempDir dir;
  const std::string path = dir.file("kill.h5");
  // ~24 MB per save, so that kills land inside writes as well as between them.
  nn::Module big;
  for (int i = 0; i < 6; ++i) big.register_parameter(fmt::format("p{}", i), Shape{1024, 1024});
  Generator rng(2024);
  int loads = 0;
  for (int round = 0; round < 8; ++round) {
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      // Every save holds one value everywhere; a mixed file would show up as a mismatch.
      try {
        io::CheckpointMeta meta;
        for (int64_t value = round * 100000 + 1;; ++value) {
          for (auto& t : big.parameters()) std::fill_n(t.data<float>(), t.numel(), static_cast<float>(value));
          meta.step = value;
          io::save_checkpoint(path, big, nullptr, meta);
        }
      } catch (...) {
      }
      ::_exit(1);
    }
    if (round == 0) {  // the first kill waits for one complete save, so every round can check
      for (int i = 0; i < 500 && !fs::exists(path); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + static_cast<int64_t>(rng.below(300))));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    INFO("round " << round);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(WTERMSIG(status) == SIGKILL);

    if (fs::exists(path)) {
      nn::Module check;
      for (int i = 0; i < 6; ++i) check.register_parameter(fmt::format("p{}", i), Shape{1024, 1024});
      const io::CheckpointMeta meta = io::load_checkpoint(path, check, nullptr);
      for (const auto& t : check.parameters()) {
        const float* p = t.data<float>();
        REQUIRE(std::all_of(p, p + t.numel(), [&](float v) { return v == static_cast<float>(meta.step); }));
      }
      ++loads;
    }
    // SIGKILL leaves the child's temporary file behind by nature; the next run removes it (its
    // writer is dead and its lock released), and nothing else.
    io::remove_stale_temporaries(fs::path(path).parent_path());
    REQUIRE(dir.entries() == std::vector<std::string>{"kill.h5"});
  }
  REQUIRE(loads == 8);
}

TEST_CASE("a damaged weight is refused by its checksum, naming the dataset", "[nn][checkpoint]") {
  TempDir dir;
  const std::string path = dir.file("ckpt.h5");
  Net net;
  // A recognisable run of values in one parameter, to find its bytes in the file.
  Tensor weight = net.parameter("enc_x.conv1.weight");
  float* w = weight.data<float>();
  for (int64_t i = 0; i < weight.numel(); ++i) w[i] = 1000.0f + static_cast<float>(i);
  io::save_checkpoint(path, net, nullptr, sample_meta());
  std::string bytes = slurp(path);
  std::string pattern(reinterpret_cast<const char*>(w), 16);
  const std::size_t at = bytes.find(pattern);
  REQUIRE(at != std::string::npos);
  bytes[at + 6] = static_cast<char>(bytes[at + 6] ^ 0x01);  // one bit of one weight
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  Net loaded;
  const std::string e = error_of([&] { io::load_checkpoint(path, loaded, nullptr); });
  CHECK_THAT(e, Catch::Contains(path) && Catch::Contains("enc_x.conv1.weight") && Catch::Contains("checksum"));

  // The files' datasets carry the Fletcher-32 filter (h5dump shows it).
  if (std::system("command -v h5dump > /dev/null 2>&1") == 0) {
    io::save_checkpoint(path, net, nullptr, sample_meta());
    const std::string header = dir.file("filters.txt");
    REQUIRE(std::system(fmt::format("h5dump -p -H '{}' > '{}' 2>&1", path, header).c_str()) == 0);
    CHECK_THAT(slurp(header), Catch::Contains("CHECKSUM FLETCHER32"));
  }
}

TEST_CASE("a checkpoint written before checksums still loads", "[nn][checkpoint]") {
  // Written by save_checkpoint at format 1 before checksums existed (contiguous datasets, no
  // filters): weight [2, 3, 3, 3] float32 = 0.25 i - 3, bias [2] float64 = 1.5 + i, step 7.
  class Leaf2 : public nn::Module {
   public:
    Leaf2() {
      register_parameter("weight", Shape{2, 3, 3, 3}, DType::float32);
      register_parameter("bias", Shape{2}, DType::float64);
    }
  } leaf;
  const std::string path = std::string(REVGAN_TEST_DATA_DIR) + "/nn/data/checkpoint_v1_unchecked.h5";
  const io::CheckpointMeta meta = io::load_checkpoint(path, leaf, nullptr);
  CHECK(meta.step == 7);
  CHECK(meta.epoch == 2);
  const std::vector<double> weight = leaf.parameter("weight").to_vector();
  REQUIRE(weight.size() == 54);
  for (std::size_t i = 0; i < weight.size(); ++i) REQUIRE(weight[i] == 0.25 * static_cast<double>(i) - 3.0);
  CHECK(leaf.parameter("bias").to_vector() == std::vector<double>{1.5, 2.5});
}

TEST_CASE("stale temporary files: only those of dead writers with no lock are removed", "[nn][checkpoint]") {
  TempDir dir;
  const pid_t dead = ::fork();
  REQUIRE(dead >= 0);
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  const std::vector<std::string> kept = {
      fmt::format(".tmp-{}-mine.h5", ::getpid()),  // a live process (this one)
      ".tmp-x1-odd.h5",                            // not a pid
      "latest.h5.tmp-1",                           // not our naming
      fmt::format("tmp-{}-visible.h5", dead),      // not hidden
  };
  for (const std::string& name : kept) std::ofstream(dir.file(name)) << "x";
  const std::string stale = fmt::format(".tmp-{}-latest.h5", dead);
  std::ofstream(dir.file(stale)) << "half";
  const std::vector<fs::path> removed = io::remove_stale_temporaries(fs::path(dir.file("")).parent_path());
  REQUIRE(removed.size() == 1);
  CHECK(removed.front().filename() == stale);
  std::vector<std::string> left = dir.entries();
  std::sort(left.begin(), left.end());
  std::vector<std::string> expected = kept;
  std::sort(expected.begin(), expected.end());
  CHECK(left == expected);
}
