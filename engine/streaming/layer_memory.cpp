// Scratch sizes from the kernels' own workspace rules, on the geometry the ops would build.
#include "engine/streaming/layer_memory.hpp"

#include "engine/ops/cpu_conv_backend.hpp"
#include "engine/streaming/geometry.hpp"
#include "kernels/cpu/conv_transpose.hpp"

namespace revgan::streaming {

int64_t output_channels(const Layer& l, int64_t in_channels) {
  return l.kind == LayerKind::conv || l.kind == LayerKind::conv_transpose ? l.out_channels : in_channels;
}

int64_t scratch_bytes(const Layer& l, int64_t n, int64_t in_channels, const Axes& in, int dims) {
  if (l.kind == LayerKind::instance_norm) return n * in_channels * k_float_bytes;  // 1/std per instance
  if (l.kind != LayerKind::conv && l.kind != LayerKind::conv_transpose) return 0;
  kernels::ConvGeometry g;
  g.batch = n;
  g.in_channels = in_channels;
  g.out_channels = l.out_channels;
  g.input = in;
  g.output = output_extent(l, in, dims);
  for (int a = 3 - dims; a < 3; ++a) {
    const std::size_t i = static_cast<std::size_t>(a);
    g.kernel[i] = l.kernel;
    g.stride[i] = l.stride;
    g.padding[i] = l.padding;
    g.output_padding[i] = l.output_padding;
  }
  const int64_t elements =
      l.kind == LayerKind::conv
          ? ops::cpu_conv_workspace_elements(g, DType::float32, ops::ConvPasses::forward, l.bias.defined())
          : kernels::cpu::conv_transpose_workspace_elements(g);
  return elements * k_float_bytes;
}

}  // namespace revgan::streaming
