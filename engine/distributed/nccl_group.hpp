// All-reduce of CUDA tensors through NCCL, one communicator per process on its device, created
// from a unique id that rank 0 makes and broadcasts over MPI. The reduction is queued on the
// engine's compute stream of that device, so it is ordered after the backward that produced the
// gradients and before the optimizer step that reads them, without a host synchronisation.
// Built only in CUDA builds with NCCL and MPI.
#pragma once

#include <nccl.h>

#include <string>

#include "engine/distributed/communicator.hpp"

namespace revgan::distributed {

class NcclGroup {
 public:
  // Collective over `host`'s ranks: every rank must construct it, each for its own device.
  NcclGroup(Communicator& host, int device);
  ~NcclGroup();
  NcclGroup(const NcclGroup&) = delete;
  NcclGroup& operator=(const NcclGroup&) = delete;

  void all_reduce_sum(Tensor& t);  // t on this group's device, float32 or float64
  std::string describe() const;

 private:
  ncclComm_t comm_ = nullptr;
  int device_ = 0;
};

}  // namespace revgan::distributed
