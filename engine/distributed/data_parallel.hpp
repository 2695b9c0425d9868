// The two collectives of data-parallel training, as PyTorch's DistributedDataParallel does them:
// parameters broadcast from rank 0 (at start and after a resume), and gradients averaged over
// the group before every optimizer step, packed into flat buckets so that a few large
// all-reduces replace one per parameter.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/distributed/communicator.hpp"

namespace revgan::distributed {

struct ReduceStats {
  int64_t bytes = 0;    // gradient bytes all-reduced (per rank)
  int64_t buckets = 0;  // all-reduce calls
  double seconds = 0;   // host wall time of packing, reducing and unpacking
};

inline constexpr int64_t default_bucket_bytes = int64_t{25} << 20;

// Averages the gradients of `params` over the group: grouped by device and dtype, packed into
// flat buckets of at most `bucket_bytes` (a larger parameter gets a bucket of its own), summed
// by one all-reduce each, scaled by 1/size and copied back. A parameter without a gradient
// contributes zeros and receives the average. A no-op on a single process. `stats` accumulates.
void average_gradients(Communicator& comm, const std::vector<Tensor>& params, ReduceStats* stats = nullptr,
                       int64_t bucket_bytes = default_bucket_bytes);

// Every rank's `params` take rank 0's values.
void broadcast_parameters(Communicator& comm, const std::vector<Tensor>& params);

}  // namespace revgan::distributed
