// Storage identity and versions (engine/tensor/storage.hpp): every storage has its own id; a
// mutable access through a tensor counts as a write and bumps the version, a const one does not,
// and views share their storage's version.
#include <catch2/catch.hpp>

#include <utility>

#include "engine/tensor/tensor.hpp"

using namespace revgan;

TEST_CASE("a storage has its own id, mutable tensor access bumps its version and const access does not", "[engine]") {
  Tensor a = Tensor::empty({4, 4});
  const Tensor b = Tensor::empty({4, 4});
  REQUIRE(a.storage()->id() != b.storage()->id());

  const uint64_t v0 = a.storage()->version();
  (void)std::as_const(a).data<float>();
  (void)std::as_const(a).raw_data();
  CHECK(a.storage()->version() == v0);

  a.data<float>()[0] = 1.0f;
  const uint64_t v1 = a.storage()->version();
  CHECK(v1 > v0);
  (void)a.raw_data();
  CHECK(a.storage()->version() > v1);

  // A view (reshape, detach) writes the same storage.
  const uint64_t v2 = a.storage()->version();
  Tensor view = a.reshape({16}).detach();
  view.data<float>()[3] = 2.0f;
  CHECK(a.storage()->version() > v2);
  const uint64_t v3 = a.storage()->version();
  a.copy_from(b);
  CHECK(a.storage()->version() > v3);
}
