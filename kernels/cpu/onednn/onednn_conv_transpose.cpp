// Transposed-convolution gradients through oneDNN, as passes of their adjoint conv (see
// onednn_conv_transpose.hpp).
#include "kernels/cpu/onednn_conv_transpose.hpp"

namespace revgan::kernels::cpu::onednn {

ConvGeometry adjoint_conv(const ConvGeometry& t) {
  ConvGeometry g = t;
  g.in_channels = t.out_channels;
  g.out_channels = t.in_channels;
  g.input = t.output;  // output padding is already in the transposed conv's output extent
  g.output = t.input;
  g.output_padding = {0, 0, 0};
  return g;
}

ConvPass adjoint_pass(ConvPass transposed_pass) {
  switch (transposed_pass) {
    case ConvPass::forward: return ConvPass::backward_input;
    case ConvPass::backward_input: return ConvPass::forward;
    case ConvPass::backward_weight: return ConvPass::backward_weight;
  }
  return transposed_pass;
}

bool suits_transposed(const ConvGeometry& t, ConvPass pass) {
  return pass != ConvPass::forward && suits(adjoint_conv(t), adjoint_pass(pass));
}

int64_t transposed_workspace_floats(const ConvGeometry& t, ConvPass pass) {
  return workspace_floats(adjoint_conv(t), adjoint_pass(pass), false);
}

Status conv_transpose_backward_input(const ConvGeometry& t, const float* dy, const float* w, float* dx,
                                     float* workspace, const float* prepared) {
  return conv_forward(adjoint_conv(t), dy, w, nullptr, dx, workspace, prepared);
}

Status conv_transpose_backward_weight(const ConvGeometry& t, const float* x, const float* dy, float* dw,
                                      float* workspace) {
  // The adjoint conv's "input" is the transposed conv's dy, its "output gradient" is x.
  return conv_backward_weight(adjoint_conv(t), dy, x, dw, workspace);
}

}  // namespace revgan::kernels::cpu::onednn
