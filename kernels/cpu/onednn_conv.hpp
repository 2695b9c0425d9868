// Float CPU convolutions through oneDNN (built when REVGAN_WITH_ONEDNN is defined, sources in
// kernels/cpu/onednn/): the same three passes as kernels/cpu/conv.hpp, on the same NCHW / NCDHW
// buffers. oneDNN computes in its blocked layouts; the reorders in and out, and oneDNN's own
// scratch ("scratchpad"), live in the caller's workspace, so every byte is the caller's
// allocation. Shapes are checked by the engine before these are called. Errors (oneDNN refusing
// a geometry, say) come back as a message, which the engine turns into its exception.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kernels/common/geometry.hpp"

namespace revgan::kernels::cpu::onednn {

enum class ConvPass { forward, backward_input, backward_weight };

// Whether oneDNN's kernel for this pass and geometry is the one to run. oneDNN's direct
// kernels block channels by 8 or 16; below 8 output channels (a 7x7 conv to an RGB image),
// and below 8 input channels for the input gradient, they fall to oneDNN's slow generic path
// and the im2col kernels are 1.2-3x faster (docs/benchmarks.md, "oneDNN convolutions"). One
// exception: the input gradient of a stride-1 conv with fewer than 8 output but at least 8
// input channels runs as oneDNN's forward of dy with the weights flipped and transposed
// (conv_backward_input does this by itself; the flipped weights sit in the workspace).
bool suits(const ConvGeometry& g, ConvPass pass);

// Floats of workspace one pass needs (reordered operands + scratchpad); `bias`: whether the
// forward takes a bias (ignored for the backward passes).
int64_t workspace_floats(const ConvGeometry& g, ConvPass pass, bool bias);

// Winograd F(4x4, 3x3) for the gradient passes. oneDNN's Winograd kernels (AVX-512 CPUs) compute
// the input and weight gradients of a 3x3 stride-1 2D conv with fewer multiplications than its
// direct ones. On the Zen 5 machine of docs/benchmarks.md both passes together ran 1.15-1.83x
// faster alone (`bench kernels`: 64, 116 and 128 channels at 32x32, one and two threads), but
// inside a training step the 64-channel core of RevGAN K=32 on two threads (18.9 M multiply-adds
// per thread) made the step 1-2 % slower, while on one thread (37.7 M) it made it 2 % faster and
// the 112- and 116-channel cores of K=56 and K=58 on two threads (>= 29 M) 9-22 %: hence the line
// k_winograd_min_work_per_thread between the two. Their transforms round differently from a
// direct sum: the gradients differed from the direct kernels' by 2e-6 - 7e-6 of their scale, as
// with cuDNN's Winograd algorithms on the GPU. Forwards stay direct (a coupling's inverse must
// undo its forward to float rounding,
// engine/ops/cpu_conv_backend.hpp). `by_work` (the default) takes Winograd over the line, `off`
// never (every pass direct), `always` for every 3x3 stride-1 2D gradient pass (to measure the
// line). REVGAN_WINOGRAD=1|0|always sets the starting value (parse_winograd_use).
inline constexpr int64_t k_winograd_min_work_per_thread = int64_t{24} << 20;
enum class WinogradUse { off, by_work, always };
void set_winograd_use(WinogradUse use);
WinogradUse winograd_use();
// "1" -> by_work, "0" -> off, "always" -> always; anything else: nullopt (the engine refuses it).
std::optional<WinogradUse> parse_winograd_use(std::string_view value);
// Whether a plan for this pass asks for Winograd: a gradient pass of a 3x3 stride-1 2D conv, under
// `by_work` with at least k_winograd_min_work_per_thread multiply-adds per thread of the current
// team (omp_get_max_threads()). Where oneDNN has no Winograd kernel (no AVX-512), the plan is
// direct all the same.
bool winograd_suits(const ConvGeometry& g, ConvPass pass);
// oneDNN's name of the kernel a pass runs on (e.g. "jit:avx512_core", "jit_wino_4x3:avx512_core").
std::string implementation(const ConvGeometry& g, ConvPass pass, bool bias);

// Plans built so far in this process: one per geometry, pass, forward bias, OpenMP team size
// (omp_get_max_threads() when the pass runs) and Winograd choice; for tests.
int64_t plans_built();

// What tells plans apart (the fields above), e.g. for keeping things per plan.
using PlanKey = std::array<int64_t, 22>;
PlanKey plan_key(const ConvGeometry& g, ConvPass pass, bool bias);

struct Status {
  std::string message;  // empty: success
  bool ok() const { return message.empty(); }
};

// A pass reads the weights in oneDNN's blocked layout, reordered from the engine's on every
// call. Weights that do not change between calls (a network's, within a training step) can be
// reordered once: prepared_weight_floats is the size of that copy for the forward (with or
// without bias) or the input gradient, 0 where the pass takes no reordered weights (or reorders
// them along with other work: the flipped-weights input gradient); prepare_weights writes it,
// using a workspace of workspace_floats(g, pass, bias).
int64_t prepared_weight_floats(const ConvGeometry& g, ConvPass pass, bool bias);
Status prepare_weights(const ConvGeometry& g, ConvPass pass, bool bias, const float* w, float* prepared,
                       float* workspace);

// y = conv(x, w) + bias (bias may be null). `prepared`: prepare_weights' copy of w for this
// pass, or null to reorder w here.
Status conv_forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y,
                    float* workspace, const float* prepared = nullptr);
// dx = J^T dy (overwrites dx); `prepared` as for conv_forward.
Status conv_backward_input(const ConvGeometry& g, const float* dy, const float* w, float* dx, float* workspace,
                           const float* prepared = nullptr);
// dw from x and dy, summed over the batch (overwrites). No bias gradient: oneDNN sums it in
// float, the engine takes conv_bias_backward's double sum (kernels/cpu/conv.hpp).
Status conv_backward_weight(const ConvGeometry& g, const float* x, const float* dy, float* dw, float* workspace);

}  // namespace revgan::kernels::cpu::onednn
