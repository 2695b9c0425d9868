// Programs from engine modules: leaf layers by type (identities dropped), Sequentials
// flattened, reversible sequences as coupling blocks.
#include "engine/streaming/program.hpp"

#include "engine/nn/layers.hpp"
#include "engine/reversible/additive_coupling.hpp"
#include "engine/reversible/affine_coupling.hpp"
#include "engine/reversible/reversible_sequence.hpp"

namespace revgan::streaming {

namespace {

// Per-axis pads as given to the module (one value, or one per spatial axis) -> (D, H, W).
Axes pad_axes(const std::vector<int64_t>& pads) {
  REVGAN_CHECK(pads.size() == 1 || pads.size() == 2 || pads.size() == 3,
               "streamed program: a reflection pad with {} values", pads.size());
  if (pads.size() == 1) return {pads[0], pads[0], pads[0]};
  if (pads.size() == 2) return {0, pads[0], pads[1]};
  return {pads[0], pads[1], pads[2]};
}

// Conv and ConvTranspose expose the same geometry.
template <class C>
Layer conv_layer(LayerKind kind, const C& conv) {
  Layer l;
  l.kind = kind;
  l.weight = conv.weight();
  l.bias = conv.bias();
  l.kernel = conv.kernel();
  l.stride = conv.stride();
  l.padding = conv.padding();
  l.out_channels = conv.out_channels();
  return l;
}

void append_leaf(Chain& chain, nn::Module& m) {
  if (dynamic_cast<nn::Identity*>(&m) != nullptr) return;  // a layer left out: nothing to run
  Layer l;
  if (auto* pad = dynamic_cast<nn::ReflectionPad*>(&m)) {
    l.kind = LayerKind::reflection_pad;
    l.pad_before = pad_axes(pad->pad_before());
    l.pad_after = pad_axes(pad->pad_after());
  } else if (auto* conv = dynamic_cast<nn::Conv*>(&m)) {
    l = conv_layer(LayerKind::conv, *conv);
  } else if (auto* convt = dynamic_cast<nn::ConvTranspose*>(&m)) {
    l = conv_layer(LayerKind::conv_transpose, *convt);
    l.output_padding = convt->output_padding();
  } else if (auto* norm = dynamic_cast<nn::InstanceNorm*>(&m)) {
    l.kind = LayerKind::instance_norm;
    l.eps = norm->eps();
  } else if (dynamic_cast<nn::ReLU*>(&m) != nullptr) {
    l.kind = LayerKind::relu;
  } else if (auto* leaky = dynamic_cast<nn::LeakyReLU*>(&m)) {
    l.kind = LayerKind::leaky_relu;
    l.slope = leaky->slope();
  } else if (dynamic_cast<nn::Tanh*>(&m) != nullptr) {
    l.kind = LayerKind::tanh;
  } else {
    REVGAN_FAIL("streamed program: no streamed form of a {} module", m.type_name());
  }
  chain.push_back(std::move(l));
}

void append_module(Chain& chain, nn::Module& m) {
  if (dynamic_cast<nn::Sequential*>(&m) != nullptr) {
    for (const auto& [name, child] : m.children()) append_module(chain, *child);
    return;
  }
  append_leaf(chain, m);
}

int conv_dims(const Layer& l) {
  return l.weight.dim() - 2;
}

void check_dims(const Chain& chain, int& dims) {
  for (const Layer& l : chain) {
    if (l.kind != LayerKind::conv && l.kind != LayerKind::conv_transpose) continue;
    if (dims == 0) dims = conv_dims(l);
    REVGAN_CHECK(conv_dims(l) == dims, "streamed program: {}D and {}D layers in one program", dims, conv_dims(l));
  }
}

int64_t first_in_channels(const Chain& chain) {
  for (const Layer& l : chain) {
    if (l.kind == LayerKind::conv) return l.weight.size(1);
    if (l.kind == LayerKind::conv_transpose) return l.weight.size(0);
  }
  return 0;
}

}  // namespace

bool is_pointwise(LayerKind kind) {
  return kind == LayerKind::instance_norm || kind == LayerKind::relu || kind == LayerKind::leaky_relu ||
         kind == LayerKind::tanh;
}

Chain chain_of(nn::Module& module) {
  Chain chain;
  append_module(chain, module);
  return chain;
}

Step chain_step(nn::Module& module) {
  Step s;
  s.kind = StepKind::chain;
  s.chain = chain_of(module);
  return s;
}

Step reversible_step(reversible::ReversibleSequence& sequence, bool inverse) {
  Step s;
  s.kind = StepKind::reversible;
  s.inverse = inverse;
  for (const auto& block : sequence.blocks()) {
    // The streamed executor implements the additive and affine algebra; another coupling must say how.
    const bool affine = dynamic_cast<const reversible::AffineCoupling*>(block.get()) != nullptr;
    REVGAN_CHECK(affine || dynamic_cast<const reversible::AdditiveCoupling*>(block.get()) != nullptr,
                 "streamed program: no streamed form of a {} block (additive and affine couplings only)",
                 block->type_name());
    s.blocks.push_back({chain_of(block->f()), chain_of(block->g()), affine});
  }
  return s;
}

Step residual_step(const std::vector<nn::Module*>& branches) {
  Step s;
  s.kind = StepKind::residuals;
  for (nn::Module* f : branches) s.residuals.push_back(chain_of(*f));
  return s;
}

void finish_program(Program& program) {
  int dims = 0;
  program.in_channels = 0;
  for (const Step& s : program.steps) {
    check_dims(s.chain, dims);
    for (const Coupling& c : s.blocks) {
      check_dims(c.f, dims);
      check_dims(c.g, dims);
    }
    for (const Chain& r : s.residuals) check_dims(r, dims);
    if (program.in_channels == 0) {
      program.in_channels = first_in_channels(s.chain);
      if (s.kind == StepKind::reversible && !s.blocks.empty())
        program.in_channels = 2 * first_in_channels(s.blocks.front().f);
      if (s.kind == StepKind::residuals && !s.residuals.empty())
        program.in_channels = first_in_channels(s.residuals.front());
    }
  }
  REVGAN_CHECK(dims == 2 || dims == 3, "streamed program: no convolution to take the spatial dimensions from");
  program.dims = dims;
}

}  // namespace revgan::streaming
