// Float CPU transposed-convolution gradients through oneDNN (built with REVGAN_WITH_ONEDNN): a
// transposed conv is the input gradient of the conv with its input and output swapped
// (adjoint_conv), with the same weight tensor ([Cin, Cout, k...] of the transposed conv is
// [out, in, k...] of that conv). So its input gradient is that conv's forward, and its weight
// gradient is that conv's weight gradient with x and dy in swapped roles: the plans of
// onednn_conv.hpp serve both, with the same workspace rules. Its forward (that conv's
// input-gradient pass) would work the same way, but the engine keeps it on im2col
// (engine/ops/cpu_conv_backend.hpp says why), so it is not offered here.
#pragma once

#include "kernels/common/geometry.hpp"
#include "kernels/cpu/onednn_conv.hpp"

namespace revgan::kernels::cpu::onednn {

// The conv whose input gradient the transposed conv `t` is, and the pass of it that computes a
// pass of `t`.
ConvGeometry adjoint_conv(const ConvGeometry& t);
ConvPass adjoint_pass(ConvPass transposed_pass);

// suits() and workspace_floats() of the adjoint pass; never suits the forward (see above).
bool suits_transposed(const ConvGeometry& t, ConvPass pass);
int64_t transposed_workspace_floats(const ConvGeometry& t, ConvPass pass);

// dx = J^T dy (overwrites); `prepared`: prepare_weights(adjoint_conv(t), forward, false, w) or
// null.
Status conv_transpose_backward_input(const ConvGeometry& t, const float* dy, const float* w, float* dx,
                                     float* workspace, const float* prepared = nullptr);
// dw from x and dy, summed over the batch (overwrites); the bias gradient is the engine's sum.
Status conv_transpose_backward_weight(const ConvGeometry& t, const float* x, const float* dy, float* dw,
                                      float* workspace);

}  // namespace revgan::kernels::cpu::onednn
