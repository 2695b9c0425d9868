// Shape arithmetic and printing.
#include "engine/core/shape.hpp"

#include <fmt/format.h>

#include "engine/core/check.hpp"

namespace revgan {

Shape::Shape(std::initializer_list<int64_t> dims) {
  for (int64_t d : dims) push_back(d);
}

void Shape::push_back(int64_t d) {
  REVGAN_CHECK(rank_ < max_rank, "shape: rank above {} is not supported", max_rank);
  REVGAN_CHECK(d >= 0, "shape: negative dimension {}", d);
  dims_[static_cast<std::size_t>(rank_++)] = d;
}

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int i = 0; i < rank_; ++i) n *= dims_[static_cast<std::size_t>(i)];
  return n;
}

bool Shape::operator==(const Shape& o) const {
  if (rank_ != o.rank_) return false;
  for (int i = 0; i < rank_; ++i)
    if (dims_[static_cast<std::size_t>(i)] != o.dims_[static_cast<std::size_t>(i)]) return false;
  return true;
}

std::string Shape::str() const { return fmt::format("[{}]", fmt::join(begin(), end(), ", ")); }

}  // namespace revgan
