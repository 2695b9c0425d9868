// Every op against PyTorch's float64 results in tests/golden/ops.h5, forward and backward, with
// the engine computing in float32 and in float64 (the stored float32 inputs cast up).
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <string>

#include "tests/ops/golden_dispatch.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;
using test::GoldenCase;

namespace {

const std::vector<GoldenCase>& golden_cases() {
  static const std::vector<GoldenCase> cases = test::load_golden_cases(test::golden_path());
  return cases;
}

// One engine tensor of one case compared with its reference.
struct TensorCheck {
  std::string what;     // "output0", "grad_input1"
  std::string problem;  // set when the engine's tensor is missing or of the wrong dtype
  test::Comparison cmp;
};

TensorCheck check_tensor(std::string what, const Tensor& actual, const Tensor& reference, DType dtype,
                         double allowed) {
  TensorCheck check{std::move(what), {}, {}};
  if (!actual.defined())
    check.problem = "the engine produced no tensor (no gradient reached this input?)";
  else if (actual.dtype() != dtype)
    check.problem = fmt::format("the engine returned {} for a {} computation", actual.describe(), dtype_name(dtype));
  else if (actual.shape() != reference.shape())
    check.problem = fmt::format("the engine returned {} but PyTorch {}", actual.describe(), reference.describe());
  else
    check.cmp = test::compare(actual, reference, allowed);
  return check;
}

// Runs a case (throws revgan::Error when the engine or the case is at fault) and compares
// every output and every available input gradient.
std::vector<TensorCheck> run_and_compare(const GoldenCase& c, DType dtype, double allowed) {
  test::GoldenResult r = test::run_golden_case(c, dtype);
  std::vector<TensorCheck> checks;
  for (std::size_t k = 0; k < c.outputs.size(); ++k)
    checks.push_back(check_tensor(fmt::format("output{}", k), r.outputs[k], c.outputs[k], dtype, allowed));
  for (std::size_t i = 0; i < c.inputs.size(); ++i)
    if (c.grad_inputs[i].defined())
      checks.push_back(check_tensor(fmt::format("grad_input{}", i), r.grad_inputs[i], c.grad_inputs[i], dtype, allowed));
  return checks;
}

// Every case, every tensor: failures are CHECKs, so one run reports all failing cases.
void check_every_case(DType dtype, double allowed) {
  const auto& cases = golden_cases();
  INFO("golden file " << test::golden_path());
  REQUIRE_FALSE(cases.empty());
  for (const GoldenCase& c : cases) {
    INFO("golden case " << c.name << " (op " << c.op << ") computed in " << dtype_name(dtype));
    std::vector<TensorCheck> checks;
    try {
      checks = run_and_compare(c, dtype, allowed);
    } catch (const std::exception& e) {
      FAIL_CHECK("threw: " << e.what());
      continue;
    }
    for (const TensorCheck& check : checks) {
      INFO(check.what << ": " << check.problem << (check.problem.empty() ? check.cmp.report() : ""));
      CHECK(check.problem.empty());
      CHECK(check.cmp.ok);
    }
  }
}

}  // namespace

TEST_CASE("golden: the file holds cases, each naming an op of the op table", "[op]") {
  const auto& cases = golden_cases();
  INFO("golden file " << test::golden_path());
  REQUIRE_FALSE(cases.empty());
  for (const GoldenCase& c : cases) {
    INFO("golden case " << c.name);
    CHECK_NOTHROW(test::golden_op_kind(c));
  }
}

TEST_CASE("golden: a case naming an unknown op is an error, not a skip", "[op]") {
  GoldenCase c;
  c.name = "made_up_case";
  c.op = "no_such_op";
  REQUIRE_THROWS_WITH(test::run_golden_case(c, DType::float32),
                      Catch::Contains("made_up_case") && Catch::Contains("no_such_op"));
}

TEST_CASE("golden: every PyTorch case matches in float32", "[op]") {
  check_every_case(DType::float32, test::tolerance::golden_float32);
}

TEST_CASE("golden: every PyTorch case matches in float64", "[op]") {
  check_every_case(DType::float64, test::tolerance::golden_float64);
}

// Not run by default (hidden tag): prints the worst relative error of each op, per dtype,
// as a share of the tolerance, to see how much headroom each kernel has.
TEST_CASE("golden: worst relative error per op", "[.][golden-report]") {
  for (DType dtype : {DType::float32, DType::float64}) {
    double allowed = dtype == DType::float32 ? test::tolerance::golden_float32 : test::tolerance::golden_float64;
    std::map<std::string, std::pair<double, std::string>> worst;  // op -> (rel error, case/tensor)
    for (const GoldenCase& c : golden_cases()) {
      try {
        for (const TensorCheck& check : run_and_compare(c, dtype, allowed)) {
          double e = check.problem.empty() ? check.cmp.max_rel_error : INFINITY;
          auto& w = worst[c.op];
          if (e >= w.first) w = {e, c.name + "/" + check.what};
        }
      } catch (const std::exception& e) {
        worst[c.op] = {INFINITY, c.name + " threw: " + e.what()};
      }
    }
    std::printf("%s (allowed %.0e relative to max |reference|)\n", std::string(dtype_name(dtype)).c_str(), allowed);
    for (const auto& [op, w] : worst)
      std::printf("  %-22s %.3e  %5.1f%%  %s\n", op.c_str(), w.first, 100.0 * w.first / allowed, w.second.c_str());
  }
}
