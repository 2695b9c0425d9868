// NcclGroup: ncclCommInitRank from an MPI-broadcast id; ncclAllReduce on the compute stream.
#include "engine/distributed/nccl_group.hpp"

#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "engine/core/check.hpp"
#include "engine/cuda/stream.hpp"

namespace revgan::distributed {

namespace {

void check_nccl(ncclResult_t code, const char* what) {
  REVGAN_CHECK(code == ncclSuccess, "NCCL: {} failed: {}", what, ncclGetErrorString(code));
}

}  // namespace

NcclGroup::NcclGroup(Communicator& host, int device) : device_(device) {
  ncclUniqueId id{};
  std::vector<char> bytes(sizeof id);
  if (host.rank() == 0) {
    check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
    std::memcpy(bytes.data(), &id, sizeof id);
  }
  host.broadcast(bytes, 0);
  REVGAN_CHECK(bytes.size() == sizeof id, "NCCL: the unique id from rank 0 has {} bytes, expected {}", bytes.size(),
               sizeof id);
  std::memcpy(&id, bytes.data(), sizeof id);
  cuda::DeviceGuard guard(device_);
  check_nccl(ncclCommInitRank(&comm_, host.size(), id, host.rank()), "ncclCommInitRank");
}

NcclGroup::~NcclGroup() {
  if (comm_ != nullptr) ncclCommDestroy(comm_);
}

void NcclGroup::all_reduce_sum(Tensor& t) {
  REVGAN_CHECK(t.device().is_cuda() && t.device().index == device_,
               "NCCL all-reduce: the tensor is on {}, this process's group is on cuda:{}", t.device().str(), device_);
  cuda::DeviceGuard guard(device_);
  const ncclDataType_t type = t.dtype() == DType::float32 ? ncclFloat32 : ncclFloat64;
  void* data = t.raw_data();
  check_nccl(ncclAllReduce(data, data, static_cast<std::size_t>(t.numel()), type, ncclSum, comm_, cuda::stream()),
             "ncclAllReduce");
}

std::string NcclGroup::describe() const {
  int version = 0;
  ncclGetVersion(&version);
  return fmt::format("NCCL {}.{}.{}", version / 10000, (version / 100) % 100, version % 100);
}

}  // namespace revgan::distributed
