// Tensor shapes: rank 0 (scalar) to 5 (N, C, D, H, W), stored inline.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace revgan {

class Shape {
 public:
  static constexpr int max_rank = 5;

  Shape() = default;
  Shape(std::initializer_list<int64_t> dims);
  template <class It>
  Shape(It first, It last) {
    for (; first != last; ++first) push_back(static_cast<int64_t>(*first));
  }

  int rank() const { return rank_; }
  int64_t operator[](int i) const { return dims_[static_cast<std::size_t>(i)]; }
  int64_t& operator[](int i) { return dims_[static_cast<std::size_t>(i)]; }
  int64_t numel() const;
  void push_back(int64_t d);
  const int64_t* begin() const { return dims_.data(); }
  const int64_t* end() const { return dims_.data() + rank_; }
  bool operator==(const Shape& o) const;
  bool operator!=(const Shape& o) const { return !(*this == o); }
  std::string str() const;  // "[1, 3, 128, 128]"

 private:
  std::array<int64_t, max_rank> dims_{};
  int rank_ = 0;
};

}  // namespace revgan
