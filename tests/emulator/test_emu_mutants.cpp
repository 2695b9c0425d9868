// Mutation tests: broken variants of the real kernels (made from kernels/cuda by mutants.cmake)
// run on the emulator, each next to the unbroken kernel on the same inputs. The unbroken kernel
// must pass and the mutant must be caught: a barrier removed (wrong sums), idle threads leaving
// before block_sum and a partial warp in a full-mask shuffle (launch failures), a loop bound one
// past the end (the overrun is reported: the emulator's redzone check at cudaFree, or
// AddressSanitizer at the access in ASan builds), a loop bound one short and a read of partials
// no block wrote (fresh memory is NaN).
#include <cmath>
#include <numeric>

#include "kernels/cpu/instance_norm.hpp"
#include "kernels/cuda/elementwise.cuh"
#include "kernels/cuda/im2col.cuh"
#include "kernels/cuda/instance_norm.cuh"
#include "kernels/cuda/reduce.cuh"
#include "mutants/bound_past_end/kernels/cuda/elementwise.cuh"
#include "mutants/bound_short/kernels/cuda/elementwise.cuh"
#include "mutants/early_return/kernels/cuda/im2col.cuh"
#include "mutants/partial_warp/kernels/cuda/instance_norm.cuh"
#include "mutants/removed_barrier/kernels/cuda/instance_norm.cuh"
#include "mutants/unwritten_read/kernels/cuda/reduce.cuh"
#include "tests/emulator/emu_test_util.hpp"
#include "tests/support/random_tensor.hpp"
#include "tests/support/subprocess.hpp"
#include "tests/support/tolerance.hpp"

using namespace revgan;
using test::DeviceArray;
namespace real = kernels::cuda;

namespace {

using InstanceNormForward = cudaError_t (*)(const kernels::NormGeometry&, double, const float*, float*, float*, float*,
                                            cudaStream_t);

struct NormRun {
  cudaError_t status = cudaSuccess;
  std::string message;
  test::Comparison comparison;
};

// Instance norm forward on the device against the CPU twin.
NormRun instance_norm_against_cpu(InstanceNormForward forward, int64_t instances, int64_t spatial) {
  const kernels::NormGeometry g{instances, spatial};
  const std::vector<double> x64 = test::random_normal({instances * spatial}, 3).to_vector();
  const std::vector<float> x(x64.begin(), x64.end());
  std::vector<float> y(x.size()), mean(static_cast<std::size_t>(instances)), invstd(mean.size());
  kernels::cpu::instance_norm_forward<float>(g, 1e-5, x.data(), y.data(), mean.data(), invstd.data());
  DeviceArray<float> dx(x), dy(x.size()), dmean(mean.size()), dinvstd(mean.size());
  NormRun r;
  r.status = forward(g, 1e-5, dx.get(), dy.get(), dmean.get(), dinvstd.get(), nullptr);
  if (r.status == cudaSuccess) r.status = test::synchronize_and_take_error();
  r.message = cudaGetErrorString(r.status);
  if (r.status != cudaSuccess) return r;
  const std::vector<float> got = dy.host();
  r.comparison = test::compare(std::vector<double>(got.begin(), got.end()), std::vector<double>(y.begin(), y.end()),
                               test::tolerance::cuda_float32);
  return r;
}

}  // namespace

TEST_CASE("mutant: a barrier removed from block_sum gives wrong sums", "[emulator][mutant]") {
  const NormRun good = instance_norm_against_cpu(&real::instance_norm_forward<float>, 6, 300);
  REQUIRE(good.status == cudaSuccess);
  CHECK(good.comparison.ok);
  const NormRun bad =
      instance_norm_against_cpu(&kernels::cuda_mutant_removed_barrier::instance_norm_forward<float>, 6, 300);
  INFO(bad.message << " " << bad.comparison.report());
  CHECK((bad.status != cudaSuccess || !bad.comparison.ok));
}

TEST_CASE("mutant: threads leaving the channel sum before its barriers fail the launch", "[emulator][mutant]") {
  const int64_t batch = 2, channels = 3, spatial = 5;  // 10 elements per channel, 256 threads
  std::vector<float> x(static_cast<std::size_t>(batch * channels * spatial));
  std::iota(x.begin(), x.end(), 1.0f);
  DeviceArray<float> dx(x), out(static_cast<std::size_t>(channels));
  REQUIRE(real::channel_sum<float>(dx.get(), batch, channels, spatial, out.get(), false, nullptr) == cudaSuccess);
  REQUIRE(test::synchronize_and_take_error() == cudaSuccess);
  const std::vector<float> sums = out.host();
  for (int64_t c = 0; c < channels; ++c) {
    float want = 0;
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t s = 0; s < spatial; ++s) want += x[static_cast<std::size_t>((n * channels + c) * spatial + s)];
    CHECK(sums[static_cast<std::size_t>(c)] == want);
  }
  cudaError_t e = kernels::cuda_mutant_early_return::channel_sum<float>(dx.get(), batch, channels, spatial, out.get(),
                                                                        false, nullptr);
  if (e == cudaSuccess) e = test::synchronize_and_take_error();
  CHECK(e == cudaErrorLaunchFailure);
  // The exited threads are missed first by block_sum's warp shuffle, before its barriers.
  CHECK_THAT(std::string(cudaGetErrorString(e)), Catch::Contains("exited"));
}

TEST_CASE("mutant: a block of 48 threads fails block_sum's full-mask shuffles", "[emulator][mutant]") {
  const NormRun good = instance_norm_against_cpu(&real::instance_norm_forward<float>, 5, 20);
  REQUIRE(good.status == cudaSuccess);
  CHECK(good.comparison.ok);
  const NormRun bad =
      instance_norm_against_cpu(&kernels::cuda_mutant_partial_warp::instance_norm_forward<float>, 5, 20);
  CHECK(bad.status == cudaErrorLaunchFailure);
  CHECK_THAT(bad.message, Catch::Contains("only 16 thread(s)"));
}

TEST_CASE("mutant: a loop bound one short leaves the last element unwritten (NaN)", "[emulator][mutant]") {
  const int64_t n = 1000;
  DeviceArray<float> good(static_cast<std::size_t>(n)), bad(static_cast<std::size_t>(n));
  REQUIRE(real::fill<float>(n, 1.5f, good.get(), nullptr) == cudaSuccess);
  REQUIRE(kernels::cuda_mutant_bound_short::fill<float>(n, 1.5f, bad.get(), nullptr) == cudaSuccess);
  REQUIRE(test::synchronize_and_take_error() == cudaSuccess);
  for (float v : good.host()) REQUIRE(v == 1.5f);
  const std::vector<float> b = bad.host();
  CHECK(b[0] == 1.5f);
  CHECK(std::isnan(b.back()));
}

TEST_CASE("mutant: the reduction reading partials no block wrote gives NaN", "[emulator][mutant]") {
  const int64_t n = 1000;  // four stage-1 blocks write four of the 1,024 partial slots
  DeviceArray<float> x(std::vector<float>(static_cast<std::size_t>(n), 0.5f)), out(1);
  for (bool mutant : {false, true}) {
    DeviceArray<double> workspace(static_cast<std::size_t>(real::reduce_workspace_elements()));  // fresh
    const cudaError_t e =
        mutant ? kernels::cuda_mutant_unwritten_read::sum<float>(n, x.get(), 1.0, out.get(), workspace.get(), nullptr)
               : real::sum<float>(n, x.get(), 1.0, out.get(), workspace.get(), nullptr);
    REQUIRE(e == cudaSuccess);
    REQUIRE(test::synchronize_and_take_error() == cudaSuccess);
    const float s = out.host()[0];
    INFO((mutant ? "mutant" : "real kernel") << ": sum " << s);
    if (mutant)
      CHECK(std::isnan(s));
    else
      CHECK(s == 500.0f);
  }
}

// Runs in a child process (hidden from the normal run): the overrun may end the process under
// AddressSanitizer.
TEST_CASE("mutant probe: a loop bound one past the end", "[.mutant_probe]") {
  const int64_t n = 1000;
  DeviceArray<float> y(static_cast<std::size_t>(n));
  const bool mutant = std::getenv("REVGAN_MUTANT") != nullptr;
  const cudaError_t launch = mutant ? kernels::cuda_mutant_bound_past_end::fill<float>(n, 2.5f, y.get(), nullptr)
                                    : real::fill<float>(n, 2.5f, y.get(), nullptr);
  const cudaError_t sync = test::synchronize_and_take_error();
  const cudaError_t freed = y.release();
  std::printf("launch %s, sync %s, cudaFree %s: %s\n", cudaGetErrorName(launch), cudaGetErrorName(sync),
              cudaGetErrorName(freed), cudaGetErrorString(freed));
}

TEST_CASE("mutant: a loop bound one past the end is reported", "[emulator][mutant]") {
  auto probe = [](bool mutant) {
    test::ChildOptions o;
    if (mutant) o.env = {{"REVGAN_MUTANT", "1"}};
    return test::run_program({"/proc/self/exe", "mutant probe: a loop bound one past the end"}, o);
  };
  const test::ChildResult good = probe(false);
  INFO(good.output);
  CHECK(good.exit_code == 0);
  CHECK_THAT(good.output, Catch::Contains("cudaFree cudaSuccess"));
  const test::ChildResult bad = probe(true);
  INFO(bad.output);
#if defined(__SANITIZE_ADDRESS__)
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.output, Catch::Contains("AddressSanitizer") && Catch::Contains("use-after-poison"));
#else
  CHECK(bad.exit_code == 0);
  CHECK_THAT(bad.output, Catch::Contains("cudaFree cudaErrorIllegalAddress") && Catch::Contains("past the end"));
#endif
}
