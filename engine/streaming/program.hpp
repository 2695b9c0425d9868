// A generator's forward pass as data: the chain of layers each module call runs, so that it can
// be executed tile by tile (streamed_run.hpp) or its memory estimated (whole_estimate.hpp)
// without running it. Each Step is one module call of the generator's forward: a Sequential
// chain, a reversible sequence (forward or inverse), or a sequence of residual blocks. Built
// from engine modules here; models/ adds its own block types (models/generator_program.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::nn {
class Module;
}
namespace revgan::reversible {
class ReversibleSequence;
}

namespace revgan::streaming {

// Spatial extents and positions as (D, H, W); images have D = 1.
using Axes = std::array<int64_t, 3>;

enum class LayerKind { reflection_pad, conv, conv_transpose, instance_norm, relu, leaky_relu, tanh };

struct Layer {
  LayerKind kind = LayerKind::relu;
  Axes pad_before{0, 0, 0}, pad_after{0, 0, 0};  // reflection_pad (the D entries do not apply to images)
  Tensor weight, bias;                           // conv, conv_transpose (the module's parameters)
  int64_t kernel = 1, stride = 1, padding = 0, output_padding = 0;
  int64_t out_channels = 0;  // conv, conv_transpose
  double eps = 1e-5;         // instance_norm
  double slope = 0.0;        // leaky_relu
};
using Chain = std::vector<Layer>;

// Additive: y1 = x1 + F(x2), y2 = x2 + G(y1) on channel halves; inverse: x2 = y2 - G(y1),
// x1 = y1 - F(x2). Affine (reversible::AffineCoupling): F and G output (a, t) and the update is
// x * sigmoid(a + 2) + t; inverse (y - t) / sigmoid(a + 2).
struct Coupling {
  Chain f, g;
  bool affine = false;
};

enum class StepKind { chain, reversible, residuals };

struct Step {
  StepKind kind = StepKind::chain;
  Chain chain;                   // chain
  std::vector<Coupling> blocks;  // reversible, in forward order
  bool inverse = false;          // reversible: run the blocks backwards as inverses
  std::vector<Chain> residuals;  // residuals: x <- x + F(x), in turn
};

struct Program {
  int dims = 2;  // spatial axes: 2 (images) or 3 (volumes)
  int64_t in_channels = 0;
  std::vector<Step> steps;
};

bool is_pointwise(LayerKind kind);  // instance_norm counts: it is pointwise once its statistics are known

// The leaf layers of `module` in forward order (a Sequential is flattened). Fails naming any
// module type that is not a reflection pad, conv, transposed conv, instance norm or activation.
Chain chain_of(nn::Module& module);
Step chain_step(nn::Module& module);
Step reversible_step(reversible::ReversibleSequence& sequence, bool inverse);
// One step of residual blocks x + F(x), given their F modules.
Step residual_step(const std::vector<nn::Module*>& branches);

// Sets dims and in_channels from the first conv of the program; fails when there is none or when
// the program mixes 2D and 3D layers.
void finish_program(Program& program);

}  // namespace revgan::streaming
