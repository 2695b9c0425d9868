// Hostile pickles: globals that would run code (from files Python's own pickler wrote, and hand
// made), opcodes outside the allow-list, tensors reaching outside their storage, recursion and
// memory bombs. Each must be refused with a message naming what was wrong, and nothing may run.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "engine/core/check.hpp"
#include "engine/io/pth/pth_reader.hpp"
#include "tests/interop/interop_test_util.hpp"
#include "tests/interop/pickle_builder.hpp"

using namespace revgan;
using namespace revgan::io::pth;
namespace pk = revgan::test::pickle;
using namespace std::string_literals;

namespace {

const std::string k_weight = pk::unicode("w") + pk::tensor("0", 4, 0, {2, 2}, {2, 1});

std::string error_of(const std::string& pickle,
                     std::map<std::string, std::vector<uint8_t>> storages = {{"0", pk::floats(4)}}) {
  const std::vector<uint8_t> bytes = pk::zip_pth(pickle, storages);
  try {
    read_pth_bytes(bytes.data(), bytes.size(), "hostile.pth");
  } catch (const Error& e) {
    return e.message();
  }
  return "no error";
}

}  // namespace

TEST_CASE("pth hostile: the hand-made baseline is read", "[data]") {
  // The weight as torch.save writes it, plus what PyTorch 0.3 under Python 2 wrote: a byte-string
  // key (SHORT_BINSTRING) and the 4-argument _rebuild_tensor(storage, offset, size, stride).
  const std::string old = "U\x03old" + pk::global("torch._utils", "_rebuild_tensor") + "(" + pk::storage("0", 4) +
                          pk::integer(1) + pk::int_tuple({3}) + pk::int_tuple({1}) + "tR";
  const std::vector<uint8_t> bytes = pk::zip_pth(pk::state_dict(k_weight + old), {{"0", pk::floats(4)}});
  const PthContents c = read_pth_bytes(bytes.data(), bytes.size(), "baseline.pth");
  REQUIRE(c.state.entries.size() == 2);
  for (int64_t i = 0; i < 4; ++i) REQUIRE(c.state.entries[0].second.value(i) == static_cast<double>(i));
  REQUIRE(c.state.entries[1].first == "old");
  REQUIRE(c.state.entries[1].second.shape == std::vector<int64_t>{3});
  for (int64_t i = 0; i < 3; ++i) REQUIRE(c.state.entries[1].second.value(i) == static_cast<double>(i + 1));
}

TEST_CASE("pth hostile: pickles that call os.system or eval are refused and run nothing", "[data]") {
  // Written by Python's pickler (generate_pth_fixtures.py): payloads that would create the marker.
  // Protocol 2 names Python 3's builtins module __builtin__ (and os.system is posix.system).
  const std::filesystem::path marker = "/tmp/revgan_interop_pwned";
  std::filesystem::remove(marker);
  for (const auto& [file, global] : {std::pair{"hostile_system_zip.pth", "posix.system"},
                                     {"hostile_system_legacy.pth", "posix.system"},
                                     {"hostile_eval_zip.pth", "__builtin__.eval"}}) {
    INFO(file);
    REQUIRE_THROWS_WITH(read_pth(revgan::test::interop_data(file).string()),
                        Catch::Contains(global) && Catch::Contains("is not allowed") && Catch::Contains(file));
  }
  REQUIRE_FALSE(std::filesystem::exists(marker));

  // Hand-made: GLOBAL and STACK_GLOBAL (protocol 4) forms, inside a state dict.
  REQUIRE_THAT(error_of(pk::state_dict(k_weight + pk::unicode("x") + pk::global("os", "system") + "(" +
                                       pk::unicode("touch /tmp/revgan_interop_pwned") + "tR")),
               Catch::Contains("'os.system' is not allowed"));
  REQUIRE_THAT(error_of(std::string("\x80\x04") + pk::unicode("builtins") + pk::unicode("eval") + "\x93" + "(" +
                        pk::unicode("1") + "tR."),
               Catch::Contains("'builtins.eval' is not allowed"));
  // An allowed global called where only tensors may be built.
  REQUIRE_THAT(error_of(pk::state_dict(k_weight + pk::unicode("x") + pk::global("torch", "FloatStorage") + ")R")),
               Catch::Contains("cannot be called"));
  REQUIRE_FALSE(std::filesystem::exists(marker));
}

TEST_CASE("pth hostile: opcodes outside the allow-list are refused by name", "[data]") {
  // INST, OBJ and NEWOBJ build arbitrary objects; EXT1 uses the extension registry.
  REQUIRE_THAT(error_of(std::string("\x80\x02(ios\nsystem\n.")), Catch::Contains("INST"));
  REQUIRE_THAT(error_of(std::string("\x80\x02(o.")), Catch::Contains("OBJ"));
  REQUIRE_THAT(error_of(std::string("\x80\x02") + pk::global("collections", "OrderedDict") + ")\x81."),
               Catch::Contains("NEWOBJ"));
  REQUIRE_THAT(error_of(std::string("\x80\x02\x82\x01.")), Catch::Contains("EXT1"));
  REQUIRE_THAT(error_of(std::string("\x80\x02\xff.")), Catch::Contains("0xff"));
  // Protocol 0/1 pickles (no PROTO) and protocols past 5.
  REQUIRE_THAT(error_of("(dp0\n."), Catch::Contains("must start with PROTO"));
  REQUIRE_THAT(error_of(std::string("\x80\x06.")), Catch::Contains("protocol 6"));
}

TEST_CASE("pth hostile: tensors reaching outside their storage are refused", "[data]") {
  const auto bad = [](const std::string& tensor) { return error_of(pk::state_dict(pk::unicode("w") + tensor)); };
  REQUIRE_THAT(bad(pk::tensor("0", 4, 0, {10}, {1})), Catch::Contains("reads element 9 of storage '0', which holds 4"));
  REQUIRE_THAT(bad(pk::tensor("0", 4, 3, {2}, {1})), Catch::Contains("reads element 4"));
  REQUIRE_THAT(bad(pk::tensor("0", 4, 0, {2, 2}, {-1, 1})), Catch::Contains("negative size or stride"));
  REQUIRE_THAT(bad(pk::tensor("0", 4, -1, {1}, {1})), Catch::Contains("negative storage offset"));
  REQUIRE_THAT(bad(pk::tensor("0", 4, 0, {2, 2}, {1})), Catch::Contains("2 sizes but 1 strides"));
  // Broadcast (stride 0) views would let a tiny storage claim a huge tensor.
  REQUIRE_THAT(bad(pk::tensor("0", 4, 0, {1000}, {0})), Catch::Contains("broadcast"));
  // The storage's declared size disagrees with its bytes, or with another declaration.
  REQUIRE_THAT(bad(pk::tensor("0", 8, 0, {4}, {1})), Catch::Contains("holds 16 bytes, but the pickle declares 8"));
  REQUIRE_THAT(error_of(pk::state_dict(k_weight + pk::unicode("v") + pk::tensor("0", 2, 0, {2}, {1}))),
               Catch::Contains("declared twice"));
  REQUIRE_THAT(bad(pk::tensor("0", 4, 0, {4}, {1}, "IntStorage")),
               Catch::Contains("'torch.IntStorage' is not allowed"));
}

TEST_CASE("pth hostile: what is not a plain state dict is refused", "[data]") {
  REQUIRE_THAT(error_of(pk::state_dict(k_weight + pk::unicode("epoch") + pk::integer(5))),
               Catch::Contains("entry 'epoch' is the int 5, not a tensor"));
  REQUIRE_THAT(error_of(pk::state_dict(k_weight + pk::unicode("w") + pk::tensor("0", 4, 0, {4}, {1}))),
               Catch::Contains("key 'w' appears twice"));
  REQUIRE_THAT(error_of(std::string("\x80\x02") + pk::integer(7) + "."), Catch::Contains("not a state dict"));
  // BUILD may only attach an OrderedDict's _metadata.
  REQUIRE_THAT(error_of(pk::state_dict(k_weight).substr(0, pk::state_dict(k_weight).size() - 1) + "}" +
                        pk::unicode("__class__") + pk::integer(1) + "sb."),
               Catch::Contains("only _metadata is accepted"));
}

TEST_CASE("pth hostile: recursion, cycles and huge lengths are bounded", "[data]") {
  // 100 nested tuples: refused at the depth limit, long before the stack could suffer.
  std::string nested = "\x80\x02)";
  for (int i = 0; i < 100; ++i) nested += "\x85";
  REQUIRE_THAT(error_of(nested + "."), Catch::Contains("nested deeper than 32"));
  std::string marks = "\x80\x02";
  for (int i = 0; i < 100; ++i) marks += "(";
  REQUIRE_THAT(error_of(marks), Catch::Contains("MARKs nested deeper"));
  // A list appended to itself (through the memo) would be a reference cycle.
  REQUIRE_THAT(error_of("\x80\x02]q\x00h\x00"
                        "a."s),
               Catch::Contains("cannot contain itself"));
  // A list placed in a tuple cannot change afterwards.
  REQUIRE_THAT(error_of("\x80\x02]q\x00\x85h\x00K\x01"
                        "a."s),
               Catch::Contains("changed after"));
  // Lengths far past the end of the data fail before any allocation.
  REQUIRE_THAT(error_of(std::string("\x80\x02X\xf0\xff\xff\xff")), Catch::Contains("truncated"));
  REQUIRE_THAT(error_of(std::string("\x80\x02\x8d\xff\xff\xff\xff\xff\xff\xff\x7f")), Catch::Contains("truncated"));
  REQUIRE_THAT(error_of(std::string("\x80\x02h\x05.")), Catch::Contains("memo entry 5 does not exist"));
  REQUIRE_THAT(error_of(std::string("\x80\x02R.")), Catch::Contains("stack underflow"));
  REQUIRE_THAT(error_of(std::string("\x80\x02.")), Catch::Contains("0 values left on the stack"));
}
