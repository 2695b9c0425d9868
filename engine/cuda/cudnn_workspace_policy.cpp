// The cuDNN workspace policy (process-wide, read from REVGAN_CUDNN_WORKSPACE on first use).
#include "engine/cuda/cudnn_workspace_policy.hpp"

#include <atomic>
#include <cstdlib>

#include "engine/core/check.hpp"

namespace revgan::cuda {

namespace {

CudnnWorkspacePolicy initial_policy() {
  const char* value = std::getenv("REVGAN_CUDNN_WORKSPACE");
  if (value == nullptr || *value == '\0') return CudnnWorkspacePolicy::lean;
  return parse_cudnn_workspace_policy(value);
}

std::atomic<CudnnWorkspacePolicy>& policy_slot() {
  static std::atomic<CudnnWorkspacePolicy> slot{initial_policy()};
  return slot;
}

}  // namespace

CudnnWorkspacePolicy cudnn_workspace_policy() { return policy_slot().load(std::memory_order_relaxed); }

void set_cudnn_workspace_policy(CudnnWorkspacePolicy policy) {
  policy_slot().store(policy, std::memory_order_relaxed);
}

CudnnWorkspacePolicy parse_cudnn_workspace_policy(std::string_view name) {
  if (name == "fastest") return CudnnWorkspacePolicy::fastest;
  if (name == "lean") return CudnnWorkspacePolicy::lean;
  REVGAN_FAIL("cuDNN workspace policy '{}': expected fastest or lean (REVGAN_CUDNN_WORKSPACE)", name);
}

const char* cudnn_workspace_policy_name(CudnnWorkspacePolicy policy) {
  return policy == CudnnWorkspacePolicy::lean ? "lean" : "fastest";
}

}  // namespace revgan::cuda
