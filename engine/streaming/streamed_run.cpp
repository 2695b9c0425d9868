// The streamed executor: chains built lazily from fields, passes over tiles for statistics and
// stored activations, in-place coupling updates; a dry run takes the same decisions and only
// counts bytes.
#include "engine/streaming/streamed_run.hpp"

#include <algorithm>
#include <functional>

#include "engine/autograd/grad_mode.hpp"
#include "engine/ops/activation.hpp"
#include "engine/ops/arithmetic.hpp"
#include "engine/ops/cpu_conv_backend.hpp"
#include "engine/ops/channels.hpp"
#include "engine/reversible/affine_coupling.hpp"
#include "engine/streaming/box_copy.hpp"
#include "engine/streaming/layer_memory.hpp"

namespace revgan::streaming {

namespace {

using Stored = std::shared_ptr<StoredField>;

struct Shape3 {
  int64_t channels = 0;
  Axes extent{1, 1, 1};
  int64_t numel() const { return channels * volume(extent); }
};

Shape3 chain_shape(const Chain& chain, Shape3 s, int dims) {
  for (const Layer& l : chain) {
    s.extent = output_extent(l, s.extent, dims);
    s.channels = output_channels(l, s.channels);
  }
  return s;
}

// The largest activation a step keeps between module calls (inputs, outputs, coupling states).
int64_t largest_state(const Program& p, Shape3 s) {
  int64_t largest = s.numel();
  for (const Step& step : p.steps) {
    if (step.kind == StepKind::chain) s = chain_shape(step.chain, s, p.dims);
    largest = std::max(largest, s.numel());
  }
  return largest;
}

class Streamer {
 public:
  Streamer(const Program& p, const Axes& extent, const StreamOptions& o, MemoryModel* dry)
      : p_(p), in_extent_(extent), o_(o), dry_(dry) {
    REVGAN_CHECK(o.store_factor >= 0, "streamed run: store_factor must be non-negative, got {}", o.store_factor);
    for (int a = 3 - p.dims; a < 3; ++a)
      REVGAN_CHECK(o.tile[static_cast<std::size_t>(a)] > 0, "streamed run: tile sides must be positive");
    largest_state_ = largest_state(p, Shape3{p.in_channels, extent});
  }

  Stored run(Stored state) {
    NoGradScope no_grad;
    for (const Step& step : p_.steps) {
      if (step.kind == StepKind::chain) {
        state = finish(chain(std::move(state), step.chain));  // the chain holds its input only while it reads it
      } else if (step.kind == StepKind::reversible) {
        state = reversible(owned_copy(std::move(state)), step);
      } else {
        for (const Chain& f : step.residuals) state = residual(state, f);
      }
    }
    return owned_copy(std::move(state));
  }

 private:
  // Tile sides of a field: the input tile scaled by the field's resolution.
  Axes tile_of(const Field& f) const {
    Axes t{1, 1, 1};
    for (int a = 3 - p_.dims; a < 3; ++a) {
      const std::size_t i = static_cast<std::size_t>(a);
      t[i] = std::max<int64_t>(1, (o_.tile[i] * f.extent()[i] + in_extent_[i] - 1) / in_extent_[i]);
    }
    return t;
  }

  // body(box, values) for every tile of `f`; a dry run records the largest peak of a tile
  // (inner tiles read wider halos than border ones) plus `extra` tile-sized buffers instead.
  // `extra`: tiles of f's size the body allocates on top of the read's peak; with
  // `extra_after_read`, on top of the tile read only (the read's transients are gone by then).
  void for_each_tile(const Field& f, int64_t extra, const std::function<void(const Box&, Tensor&)>& body,
                     bool extra_after_read = false) const {
    const std::vector<Box> boxes = tile_boxes(f.extent(), tile_of(f));
    if (dry_ != nullptr) {
      for (const Box& box : boxes)
        dry_->touch(extra_after_read ? std::max(f.read_peak(box), (1 + extra) * f.bytes(box))
                                     : f.read_peak(box) + extra * f.bytes(box));
      return;
    }
    for (const Box& box : boxes) {
      Tensor values = f.read(box);
      body(box, values);
    }
  }

  Stored allocate(int64_t channels, const Axes& extent) const {
    return std::make_shared<StoredField>(channels, extent, p_.dims, dry_);
  }

  Stored store(const Field& f, ChannelStats* stats) const {
    Stored out = allocate(f.channels(), f.extent());
    for_each_tile(f, 0, [&](const Box& box, Tensor& values) {
      if (stats != nullptr) stats->add(values);
      paste_box(out->tensor(), box, values);
    });
    return out;
  }

  static FieldPtr with_op(const FieldPtr& f, PointwiseOp op) {
    if (const auto* pw = dynamic_cast<const PointwiseField*>(f.get())) {
      std::vector<PointwiseOp> ops = pw->ops();
      ops.push_back(std::move(op));
      return std::make_shared<PointwiseField>(pw->source(), std::move(ops));
    }
    return std::make_shared<PointwiseField>(f, std::vector<PointwiseOp>{std::move(op)});
  }

  FieldPtr normalised(FieldPtr f, double eps) const {
    auto stats = std::make_shared<ChannelStats>(f->channels());
    const bool stored = dynamic_cast<const StoredField*>(f.get()) != nullptr;
    if (!stored && static_cast<double>(f->numel()) <= o_.store_factor * static_cast<double>(largest_state_)) {
      f = store(*f, stats.get());
    } else {
      for_each_tile(*f, 0, [&](const Box&, Tensor& values) { stats->add(values); });
    }
    PointwiseOp op;
    op.kind = LayerKind::instance_norm;
    op.stats = std::move(stats);
    op.eps = eps;
    return with_op(f, std::move(op));
  }

  FieldPtr chain(FieldPtr f, const Chain& chain) const {
    for (const Layer& l : chain) {
      if (l.kind == LayerKind::instance_norm) {
        f = normalised(std::move(f), l.eps);
      } else if (is_pointwise(l.kind)) {
        PointwiseOp op;
        op.kind = l.kind;
        op.slope = l.slope;
        f = with_op(f, std::move(op));
      } else {
        f = std::make_shared<LayerField>(std::move(f), l, o_.device);
      }
    }
    return f;
  }

  // A stored field holding `f`: itself when stored, pointwise ops applied in place to a stored
  // buffer nothing else reads, or a new buffer.
  Stored finish(FieldPtr f) const {
    if (auto s = std::dynamic_pointer_cast<const StoredField>(f)) return std::const_pointer_cast<StoredField>(s);
    if (const auto* pw = dynamic_cast<const PointwiseField*>(f.get())) {
      auto source = std::dynamic_pointer_cast<const StoredField>(pw->source());
      if (source && source->owned() && source.use_count() == 2) {  // here and in pw
        if (dry_ == nullptr) {
          Tensor t = source->tensor();
          pw->apply(t);
        }
        return std::const_pointer_cast<StoredField>(source);
      }
    }
    return store(*f, nullptr);
  }

  Stored owned_copy(Stored s) const { return s->owned() ? s : store(*s, nullptr); }

  // dst (stored) += sign * f, tile by tile.
  void update(const Stored& dst, const FieldPtr& f, float sign) const {
    for_each_tile(*f, 0, [&](const Box& box, Tensor& values) { paste_box(dst->tensor(), box, values, true, sign); });
  }

  // dst (stored) <- dst * s + t, or (dst - t) / s when `inverse`, with (a, t) = f's channel halves
  // and s = sigmoid(a + 2) (reversible::AffineCoupling), tile by tile. Up to four tiles of f's
  // size live at once besides the one read (a and t, the bias, the scale, dst's tile and three
  // half-size results), after the read's own transients are gone.
  void affine_update(const Stored& dst, const FieldPtr& f, bool inverse) const {
    for_each_tile(*f, 4, [&](const Box& box, Tensor& values) {
      const Tensor z = values.to(Device::cpu());
      const int64_t half = z.size(1) / 2;
      const std::vector<Tensor> at = ops::split_channels(z, {half, half});
      const Tensor bias = ops::full(at[0].shape(), reversible::AffineCoupling::scale_logit_shift, z.dtype());
      const Tensor s = ops::sigmoid(ops::add(at[0], bias));
      const Tensor current = dst->read(box);
      const Tensor next = inverse ? ops::mul(ops::sub(current, at[1]), ops::reciprocal(s))
                                  : ops::add(ops::mul(current, s), at[1]);
      paste_box(dst->tensor(), box, next);
    }, true);
  }

  Stored reversible(Stored state, const Step& step) const {
    const int64_t half = state->channels() / 2;
    REVGAN_CHECK(state->channels() % 2 == 0, "streamed coupling: {} channels do not split in halves",
                 state->channels());
    const auto block = [&](const Coupling& c) {
      const ops::Im2colForwardScope as_unstreamed;  // the reversible executors' kernels (cpu_conv_backend.hpp)
      const Stored x1 = state->channels_view(0, half), x2 = state->channels_view(half, half);
      if (c.affine) {
        if (!step.inverse) {
          affine_update(x1, chain(x2, c.f), false);  // y1 = x1 s_F + t_F
          affine_update(x2, chain(x1, c.g), false);  // y2 = x2 s_G + t_G
        } else {
          affine_update(x2, chain(x1, c.g), true);  // x2 = (y2 - t_G) / s_G
          affine_update(x1, chain(x2, c.f), true);  // x1 = (y1 - t_F) / s_F
        }
      } else if (!step.inverse) {
        update(x1, chain(x2, c.f), 1.0f);  // y1 = x1 + F(x2)
        update(x2, chain(x1, c.g), 1.0f);  // y2 = x2 + G(y1)
      } else {
        update(x2, chain(x1, c.g), -1.0f);  // x2 = y2 - G(y1)
        update(x1, chain(x2, c.f), -1.0f);  // x1 = y1 - F(x2)
      }
    };
    if (!step.inverse) {
      for (const Coupling& c : step.blocks) block(c);
    } else {
      for (auto it = step.blocks.rbegin(); it != step.blocks.rend(); ++it) block(*it);
    }
    return state;
  }

  // x + F(x) into a new buffer.
  Stored residual(const Stored& x, const Chain& f) const {
    const FieldPtr fx = chain(x, f);
    Stored out = allocate(fx->channels(), fx->extent());
    for_each_tile(*fx, 1, [&](const Box& box, Tensor& values) {
      Tensor sum = x->read(box);
      paste_box(sum, whole_box(box.size()), values, true, 1.0f);
      paste_box(out->tensor(), box, sum);
    });
    return out;
  }

  const Program& p_;
  Axes in_extent_;
  StreamOptions o_;
  MemoryModel* dry_;
  int64_t largest_state_ = 0;
};

}  // namespace

Axes program_output_extent(const Program& p, const Axes& extent) {
  Shape3 s{p.in_channels, extent};
  for (const Step& step : p.steps) {
    if (step.kind == StepKind::chain) s = chain_shape(step.chain, s, p.dims);
    for (const Coupling& c : step.blocks) {
      const Shape3 half{s.channels / 2, s.extent};
      REVGAN_CHECK(
          chain_shape(c.f, half, p.dims).extent == s.extent && chain_shape(c.g, half, p.dims).extent == s.extent,
          "streamed program: a coupling branch changes the size of its input");
      const int64_t branch_out = c.affine ? s.channels : s.channels / 2;
      REVGAN_CHECK(chain_shape(c.f, half, p.dims).channels == branch_out &&
                       chain_shape(c.g, half, p.dims).channels == branch_out,
                   "streamed program: a {} coupling's branches must output {} channels", c.affine ? "affine" : "additive",
                   branch_out);
    }
    for (const Chain& r : step.residuals)
      REVGAN_CHECK(chain_shape(r, s, p.dims).extent == s.extent,
                   "streamed program: a residual branch changes the size of its input");
  }
  return s.extent;
}

Tensor run_streamed(const Program& program, const Tensor& input, const StreamOptions& options) {
  auto in = std::make_shared<StoredField>(input, program.dims);
  REVGAN_CHECK(in->channels() == program.in_channels, "streamed run: the program takes {} channels, the input has {}",
               program.in_channels, in->channels());
  program_output_extent(program, in->extent());
  Streamer streamer(program, in->extent(), options, nullptr);
  return streamer.run(std::move(in))->tensor();
}

int64_t estimate_streamed_bytes(const Program& program, const Axes& extent, const StreamOptions& options) {
  program_output_extent(program, extent);
  MemoryModel model;
  {
    // Held here throughout, as the caller of run_streamed holds its input.
    const auto in = std::make_shared<StoredField>(program.in_channels, extent, program.dims, &model, false);
    Streamer streamer(program, extent, options, &model);
    streamer.run(in);
  }
  return model.peak();
}

}  // namespace revgan::streaming
