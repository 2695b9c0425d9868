// CUDA against CPU for every family of the parity table (tests/support/parity_cases.cpp),
// float32 and float64: outputs and gradients. One test case per family, and a check that no
// family of the table is left without its test case here.
#include <catch2/catch.hpp>

#include "tests/support/cuda_skip.hpp"
#include "tests/support/parity_cases.hpp"

using namespace revgan;

#define REVGAN_PARITY_FAMILY_TEST(family)                         \
  TEST_CASE("cuda parity: " family, "[cuda][op][grad][parity]") { \
    test::skip_without_cuda_device();                             \
    test::check_parity_all(test::parity_family(family).cases);    \
  }

REVGAN_PARITY_FAMILY_TEST("element-wise arithmetic and activations")
REVGAN_PARITY_FAMILY_TEST("sums and losses")
REVGAN_PARITY_FAMILY_TEST("reflection and replication padding")
REVGAN_PARITY_FAMILY_TEST("instance norm")
REVGAN_PARITY_FAMILY_TEST("batch norm")
REVGAN_PARITY_FAMILY_TEST("dropout")
REVGAN_PARITY_FAMILY_TEST("linear up-sampling")
REVGAN_PARITY_FAMILY_TEST("channel concat, split and slice")
REVGAN_PARITY_FAMILY_TEST("convolution through cuDNN")
REVGAN_PARITY_FAMILY_TEST("transposed convolution (cuBLAS + gather)")

TEST_CASE("cuda parity: every family of the parity table has its test case", "[cuda][parity]") {
  std::set<std::string> registered;
  for (const Catch::TestCase& t : Catch::getRegistryHub().getTestCaseRegistry().getAllTests())
    registered.insert(t.getTestCaseInfo().name);
  for (const test::ParityFamily& f : test::parity_families()) {
    INFO("parity family '" << f.name << "' has no REVGAN_PARITY_FAMILY_TEST in " << __FILE__);
    CHECK(registered.count("cuda parity: " + f.name) == 1);
  }
}
