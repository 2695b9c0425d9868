// Algorithm tables of the emulated cuDNN heuristics.
#include "emulator/cudnn/algorithms.hpp"

namespace revgan::emu::dnn {

namespace {

std::size_t kernel_volume(const Problem& p) {
  return static_cast<std::size_t>(p.kernel[0] * p.kernel[1] * p.kernel[2]);
}
std::size_t out_volume(const Problem& p) {
  return static_cast<std::size_t>(p.out[0] * p.out[1] * p.out[2]);
}
std::size_t in_volume(const Problem& p) {
  return static_cast<std::size_t>(p.in[0] * p.in[1] * p.in[2]);
}

}  // namespace

int algorithm_count(Direction d) {
  switch (d) {
    case Direction::forward:
      return CUDNN_CONVOLUTION_FWD_ALGO_COUNT;
    case Direction::backward_data:
      return CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT;
    case Direction::backward_filter:
      return CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT;
  }
  return 0;
}

std::vector<Algorithm> ranked_algorithms(Direction d, const Problem& p) {
  const std::size_t elem = p.element_size();
  std::vector<Algorithm> ranked;
  switch (d) {
    case Direction::forward:
      // An index table, none, and one sample's unfolded input.
      ranked.push_back(
          {CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, true, true, 4 * kernel_volume(p) * out_volume(p)});
      ranked.push_back({CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM, true, true, 0});
      ranked.push_back({CUDNN_CONVOLUTION_FWD_ALGO_GEMM, true, true,
                        elem * static_cast<std::size_t>(p.in_channels) * kernel_volume(p) * out_volume(p)});
      break;
    case Direction::backward_data:
      ranked.push_back({CUDNN_CONVOLUTION_BWD_DATA_ALGO_0, true, false, 0});
      ranked.push_back({CUDNN_CONVOLUTION_BWD_DATA_ALGO_1, true, true, 4 * kernel_volume(p) * in_volume(p)});
      break;
    case Direction::backward_filter:
      ranked.push_back({CUDNN_CONVOLUTION_BWD_FILTER_ALGO_0, true, false, 0});
      ranked.push_back({CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1, true, true,
                        elem * static_cast<std::size_t>(p.in_channels) * kernel_volume(p) * out_volume(p)});
      ranked.push_back({CUDNN_CONVOLUTION_BWD_FILTER_ALGO_3, true, false, 0});
      break;
  }
  for (int a = 0; a < algorithm_count(d); ++a) {
    bool listed = false;
    for (const Algorithm& r : ranked) listed = listed || r.algo == a;
    if (!listed) ranked.push_back({a, false, true, 0});
  }
  return ranked;
}

}  // namespace revgan::emu::dnn
