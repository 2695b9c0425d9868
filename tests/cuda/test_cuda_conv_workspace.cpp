// The cuDNN workspace policy (engine/cuda/cudnn_workspace_policy.hpp): under `lean` a conv takes
// an algorithm whose workspace fits in its largest operand when one is offered, under `fastest`
// the heuristics' favourite; each policy keeps its own plans; both compute what the CPU does.
#include <cuda_runtime_api.h>  // the emulator's defines REVGAN_CUDA_EMULATED

#include <catch2/catch.hpp>
#include <string>

#include "engine/cuda/cudnn_workspace_policy.hpp"
#include "engine/cuda/library_scratch.hpp"
#include "engine/ops/conv.hpp"
#include "engine/ops/reduce.hpp"
#include "tests/support/cuda_skip.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;

namespace {

struct ConvRun {
  int64_t forward_workspace = 0;  // peak of live cuDNN workspace during the forward
  Tensor y, dx, dw, db;
};

// A 7x7 conv from 3 to 8 channels on 22x22 (output 16x16), forward then backward of sum(y).
ConvRun run_conv(Device device) {
  Tensor x = test::random_normal({1, 3, 22, 22}, 51, DType::float32).to(device);
  Tensor w = test::random_normal({8, 3, 7, 7}, 52, DType::float32).to(device);
  Tensor b = test::random_normal({8}, 53, DType::float32).to(device);
  for (Tensor* t : {&x, &w, &b}) t->set_requires_grad(true);
  ConvRun r;
  if (device.is_cuda()) cuda::reset_library_scratch_peak();
  r.y = ops::conv(x, w, b);
  if (device.is_cuda()) r.forward_workspace = cuda::library_scratch_stats().peak_bytes;
  ops::sum(r.y).backward();
  r.dx = x.grad();
  r.dw = w.grad();
  r.db = b.grad();
  return r;
}

}  // namespace

TEST_CASE("cuda conv: the lean workspace policy keeps cuDNN's workspace within the largest operand", "[cuda][op]") {
  test::skip_without_cuda_device();
  const ConvRun cpu = run_conv(Device::cpu());
  // The largest operand is the output: 8 x 16 x 16 floats.
  constexpr int64_t largest_operand = 8 * 16 * 16 * 4;
  ConvRun fastest, lean;
  {
    cuda::CudnnWorkspacePolicyScope scope(cuda::CudnnWorkspacePolicy::fastest);
    fastest = run_conv(Device::cuda(0));
  }
  {
    cuda::CudnnWorkspacePolicyScope scope(cuda::CudnnWorkspacePolicy::lean);
    lean = run_conv(Device::cuda(0));
  }
  // The emulator ranks first a forward algorithm needing 4 bytes per kernel tap and output pixel
  // (as cuDNN's precomputed implicit GEMM keeps an index table), more than the output itself, and
  // next one needing none; on a GPU the heuristics decide, so only the lean bound is certain.
  INFO("forward workspace: fastest " << fastest.forward_workspace << " B, lean " << lean.forward_workspace << " B");
  CHECK(lean.forward_workspace <= largest_operand);
#ifdef REVGAN_CUDA_EMULATED
  CHECK(fastest.forward_workspace == 4 * 49 * 16 * 16);
  CHECK(lean.forward_workspace == 0);
#endif
  for (const ConvRun* r : {&fastest, &lean}) {
    REVGAN_REQUIRE_CLOSE(test::compare(r->y.to(Device::cpu()), cpu.y, test::tolerance::cuda_float32));
    REVGAN_REQUIRE_CLOSE(test::compare(r->dx.to(Device::cpu()), cpu.dx, test::tolerance::cuda_float32));
    REVGAN_REQUIRE_CLOSE(test::compare(r->dw.to(Device::cpu()), cpu.dw, test::tolerance::cuda_float32));
    REVGAN_REQUIRE_CLOSE(test::compare(r->db.to(Device::cpu()), cpu.db, test::tolerance::cuda_float32));
  }
  CHECK(cuda::library_scratch_stats().live_bytes == 0);
}

TEST_CASE("cuda conv: REVGAN_CUDNN_WORKSPACE names fastest or lean", "[cuda]") {
  CHECK(cuda::parse_cudnn_workspace_policy("lean") == cuda::CudnnWorkspacePolicy::lean);
  CHECK(cuda::parse_cudnn_workspace_policy("fastest") == cuda::CudnnWorkspacePolicy::fastest);
  CHECK_THROWS_WITH(cuda::parse_cudnn_workspace_policy("small"),
                    Catch::Contains("'small'") && Catch::Contains("REVGAN_CUDNN_WORKSPACE"));
  CHECK(std::string(cuda::cudnn_workspace_policy_name(cuda::CudnnWorkspacePolicy::lean)) == "lean");
}
