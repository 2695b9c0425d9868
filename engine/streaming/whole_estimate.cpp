// A byte-level replay of Sequential, AdditiveCoupling, AffineCoupling, ReversibleSequence and residual-block
// forwards (see their sources for the order in which tensors are created and dropped).
#include "engine/streaming/whole_estimate.hpp"

#include <algorithm>

#include "engine/ops/cpu_conv_backend.hpp"
#include "engine/streaming/geometry.hpp"
#include "engine/streaming/layer_memory.hpp"

namespace revgan::streaming {

namespace {

struct Activation {
  int64_t channels = 0;
  Axes extent{1, 1, 1};
  bool fresh = false;  // allocated by the call that returned it (else: its input, passed through)
};

class Replay {
 public:
  Replay(int dims, int64_t batch) : dims_(dims), batch_(batch) {}

  int64_t bytes(const Activation& a) const { return batch_ * a.channels * volume(a.extent) * k_float_bytes; }
  void alloc(const Activation& a) { grow(bytes(a)); }
  void drop(const Activation& a) {
    if (a.fresh) live_ -= bytes(a);
  }
  void grow(int64_t b) {
    live_ += b;
    peak_ = std::max(peak_, live_);
  }
  int64_t peak() const { return peak_; }

  // Sequential::forward: h = layer(h), each output replacing the previous one.
  Activation chain(const Chain& chain, Activation in) {
    in.fresh = false;  // held by the caller
    Activation h = in;
    for (const Layer& l : chain) {
      Activation out{output_channels(l, h.channels), output_extent(l, h.extent, dims_), true};
      alloc(out);
      peak_ = std::max(peak_, live_ + scratch_bytes(l, batch_, h.channels, h.extent, dims_));
      drop(h);
      h = out;
    }
    return h;
  }

  // AdditiveCoupling::forward / inverse on x (held by the caller): both split halves, the first
  // sum next to the branch output it adds, the second likewise, then the concatenation.
  Activation coupling(const Coupling& c, const Activation& x, bool inverse) {
    const Activation half{x.channels / 2, x.extent, true};
    alloc(half);
    alloc(half);
    for (const Chain* branch : {inverse ? &c.g : &c.f, inverse ? &c.f : &c.g}) {
      const Activation out = chain(*branch, half);
      if (c.affine) affine_update(half, inverse);
      else alloc(half);  // the sum (or difference)
      drop(out);
    }
    const Activation joined{x.channels, x.extent, true};
    alloc(joined);
    live_ -= 4 * bytes(half);  // both halves and both sums
    return joined;
  }

  // AffineCoupling's update of one half by a branch output (a, t) (affine_coupling.cpp): the
  // split a and t, the bias and a + bias (dropped when the scale returns), the scale, then
  // x * s (forward) or y - t and 1 / s (inverse), the result; all but the result die with the
  // statement. Leaves the result allocated, like the additive sum.
  void affine_update(const Activation& half, bool inverse) {
    for (int i = 0; i < 5; ++i) alloc(half);  // a, t, bias, a + bias, s
    live_ -= 2 * bytes(half);                 // bias, a + bias
    const int temporaries = inverse ? 2 : 1;
    for (int i = 0; i < temporaries; ++i) alloc(half);
    alloc(half);  // the result
    live_ -= (3 + temporaries) * bytes(half);  // a, t, s and the temporaries
  }

  // ReversibleSequence::run without gradients: h = block(h).
  Activation reversible(const Step& step, Activation in) {
    in.fresh = false;
    if (step.blocks.empty()) {
      Activation copy{in.channels, in.extent, true};
      alloc(copy);
      return copy;
    }
    Activation h = in;
    const ops::Im2colForwardScope as_executed;  // the couplings' convs run on im2col (cpu_conv_backend.hpp)
    const auto run = [&](const Coupling& c) {
      const Activation out = coupling(c, h, step.inverse);
      drop(h);
      h = out;
    };
    if (!step.inverse) {
      for (const Coupling& c : step.blocks) run(c);
    } else {
      for (auto it = step.blocks.rbegin(); it != step.blocks.rend(); ++it) run(*it);
    }
    return h;
  }

  // A Sequential of residual blocks: h = h + F(h).
  Activation residuals(const Step& step, Activation in) {
    in.fresh = false;
    Activation h = in;
    for (const Chain& f : step.residuals) {
      const Activation fx = chain(f, h);
      const Activation sum{h.channels, h.extent, true};
      alloc(sum);
      drop(fx);
      drop(h);
      h = sum;
    }
    return h;
  }

 private:
  int dims_;
  int64_t batch_;
  int64_t live_ = 0, peak_ = 0;
};

}  // namespace

int64_t estimate_whole_bytes(const Program& program, const Axes& extent, int64_t batch) {
  Replay replay(program.dims, batch);
  Activation h{program.in_channels, extent, false};
  replay.grow(replay.bytes(h));  // the input, held by the caller throughout
  for (const Step& step : program.steps) {
    const Activation out = step.kind == StepKind::chain        ? replay.chain(step.chain, h)
                           : step.kind == StepKind::reversible ? replay.reversible(step, h)
                                                               : replay.residuals(step, h);
    if (!out.fresh) continue;  // the step passed its input through
    replay.drop(h);            // the generator drops a step's input once the step returned
    h = out;
  }
  return replay.peak();
}

}  // namespace revgan::streaming
