// Op profiling (engine/ops/op_profile.hpp): off, nothing is recorded; on, each CPU dispatch adds
// one call and its time to the row of its op, autograd state and shape; reset clears the rows.
#include <catch2/catch.hpp>

#include <algorithm>

#include "engine/autograd/grad_mode.hpp"
#include "engine/ops/activation.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/op_profile.hpp"
#include "tests/support/random_tensor.hpp"

using namespace revgan;

namespace {

const ops::OpTimeRow* find_row(const std::vector<ops::OpTimeRow>& rows, const std::string& op, bool recording,
                               const std::string& shape) {
  const auto it = std::find_if(rows.begin(), rows.end(), [&](const ops::OpTimeRow& r) {
    return r.op == op && r.recording == recording && r.shape == shape;
  });
  return it == rows.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("op profiling records each CPU dispatch by op, autograd state and shape, only while on", "[op]") {
  const Tensor a = test::random_normal({2, 3, 4}, 1, DType::float32).set_requires_grad(true);
  const Tensor b = test::random_normal({5}, 2, DType::float32);
  ops::reset_op_profile();
  (void)ops::relu(a);
  CHECK(ops::op_profile().empty());

  ops::set_op_profiling(true);
  (void)ops::relu(a);
  (void)ops::relu(a);
  {
    const NoGradScope no_grad;
    (void)ops::add(b, b);
  }
  ops::set_op_profiling(false);
  (void)ops::relu(a);

  const std::vector<ops::OpTimeRow> rows = ops::op_profile();
  REQUIRE(rows.size() == 2);
  const ops::OpTimeRow* relu = find_row(rows, "relu", true, "[2, 3, 4]");
  const ops::OpTimeRow* add = find_row(rows, "add", false, "[5]");
  REQUIRE(relu != nullptr);
  REQUIRE(add != nullptr);
  CHECK(relu->calls == 2);
  CHECK(add->calls == 1);
  CHECK(relu->seconds > 0);
  CHECK(add->seconds > 0);
  CHECK(rows.front().seconds >= rows.back().seconds);  // costliest first

  ops::reset_op_profile();
  CHECK(ops::op_profile().empty());
}
