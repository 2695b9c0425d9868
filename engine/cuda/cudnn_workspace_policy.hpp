// How cuDNN convolution algorithms are chosen on CUDA devices (process-wide): `lean` (the
// default) prefers a deterministic algorithm whose workspace is no larger than the conv's largest
// operand, else the one needing the least; `fastest` takes the heuristics' first deterministic
// algorithm, whatever workspace it needs (up to 1 GiB; on an H200 about 50 MiB for RevGAN K=32 at
// 128x128, live next to the step's activations). kernels/cuda/conv.cpp applies the policy. The
// environment variable REVGAN_CUDNN_WORKSPACE=lean|fastest sets the starting choice;
// set_cudnn_workspace_policy changes it for later plans (each policy keeps its own plans).
#pragma once

#include <string_view>

namespace revgan::cuda {

enum class CudnnWorkspacePolicy { fastest, lean };

CudnnWorkspacePolicy cudnn_workspace_policy();
void set_cudnn_workspace_policy(CudnnWorkspacePolicy policy);
CudnnWorkspacePolicy parse_cudnn_workspace_policy(std::string_view name);  // "fastest" or "lean"
const char* cudnn_workspace_policy_name(CudnnWorkspacePolicy policy);

// Sets the policy for its lifetime and restores the previous one (tests, benchmarks).
class CudnnWorkspacePolicyScope {
 public:
  explicit CudnnWorkspacePolicyScope(CudnnWorkspacePolicy policy) : saved_(cudnn_workspace_policy()) {
    set_cudnn_workspace_policy(policy);
  }
  ~CudnnWorkspacePolicyScope() { set_cudnn_workspace_policy(saved_); }
  CudnnWorkspacePolicyScope(const CudnnWorkspacePolicyScope&) = delete;
  CudnnWorkspacePolicyScope& operator=(const CudnnWorkspacePolicyScope&) = delete;

 private:
  CudnnWorkspacePolicy saved_;
};

}  // namespace revgan::cuda
