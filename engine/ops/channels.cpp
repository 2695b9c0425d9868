// Channel concat, split and slice: argument checks, dispatch to kernels/{cpu,cuda}/channels and
// backward nodes that save only channel counts (the gradients are block copies).
#include "engine/ops/channels.hpp"

#include <string>

#include "engine/ops/arithmetic.hpp"
#include "engine/ops/op_support.hpp"
#include "kernels/cpu/channels.hpp"
#ifdef REVGAN_WITH_CUDA
#include "kernels/cuda/channels.cuh"
#endif

namespace revgan::ops {

namespace {

namespace cpu = kernels::cpu;
#ifdef REVGAN_WITH_CUDA
namespace kcuda = kernels::cuda;
#endif
using kernels::ChannelBlock;

ChannelBlock block_of(const Tensor& t) {
  ChannelBlock b;
  b.outer = t.size(0);
  b.inner = 1;
  for (int a = 2; a < t.dim(); ++a) b.inner *= t.size(a);
  return b;
}

Shape with_channels(Shape s, int64_t c) {
  s[1] = c;
  return s;
}

// Gradient of each part: its channel range of dy.
class ConcatBackward final : public Node {
 public:
  ConcatBackward(const ChannelBlock& b, std::vector<int64_t> channels) : b_(b), channels_(std::move(channels)) {}
  const char* name() const override { return "ConcatBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& dy = grads[0];
    const int64_t c_total = dy.size(1);
    std::vector<Tensor> dxs(channels_.size());
    int64_t offset = 0;
    for (std::size_t i = 0; i < channels_.size(); ++i) {
      const int64_t c = channels_[i];
      if (needs_input_grad(i)) {
        dxs[i] = Tensor::empty(with_channels(dy.shape(), c), dy.dtype(), dy.device());
        dispatch(
            OpKind::concat, dy,
            [&](auto tag) {
              using T = decltype(tag);
              cpu::copy_channels_from<T>(b_, c_total, offset, dy.data<T>(), c, dxs[i].data<T>(), false);
            },
            REVGAN_CUDA_BRANCH([&](auto tag) {
              using T = decltype(tag);
              REVGAN_CUDA_CHECK(kcuda::copy_channels_from<T>(b_, c_total, offset, dy.data<T>(), c, dxs[i].data<T>(),
                                                             false, cuda::stream()));
            }));
      }
      offset += c;
    }
    return dxs;
  }

 private:
  ChannelBlock b_;
  std::vector<int64_t> channels_;
};

// Gradient of x: each output's gradient written into its channel range. The ranges tile
// all of x's channels, so dx needs no zero fill.
class SplitBackward final : public Node {
 public:
  SplitBackward(const ChannelBlock& b, std::vector<int64_t> sizes) : b_(b), sizes_(std::move(sizes)) {}
  const char* name() const override { return "SplitBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    int64_t c_total = 0;
    for (int64_t c : sizes_) c_total += c;
    const Tensor& ref = grads[0];
    Tensor dx = Tensor::empty(with_channels(ref.shape(), c_total), ref.dtype(), ref.device());
    dispatch(
        OpKind::split, ref,
        [&](auto tag) {
          using T = decltype(tag);
          int64_t offset = 0;
          for (std::size_t k = 0; k < sizes_.size(); ++k) {
            cpu::copy_channels_into<T>(b_, sizes_[k], grads[k].data<T>(), c_total, offset, dx.data<T>(), false);
            offset += sizes_[k];
          }
        },
        REVGAN_CUDA_BRANCH([&](auto tag) {
          using T = decltype(tag);
          int64_t offset = 0;
          for (std::size_t k = 0; k < sizes_.size(); ++k) {
            REVGAN_CUDA_CHECK(kcuda::copy_channels_into<T>(b_, sizes_[k], grads[k].data<T>(), c_total, offset,
                                                           dx.data<T>(), false, cuda::stream()));
            offset += sizes_[k];
          }
        }));
    return {dx};
  }

 private:
  ChannelBlock b_;
  std::vector<int64_t> sizes_;
};

// Gradient of x: dy in channels [start, start + length), zero elsewhere.
class SliceBackward final : public Node {
 public:
  SliceBackward(const ChannelBlock& b, int64_t c_total, int64_t start) : b_(b), c_total_(c_total), start_(start) {}
  const char* name() const override { return "SliceChannelsBackward"; }
  std::vector<Tensor> apply(std::vector<Tensor>& grads) override {
    const Tensor& dy = grads[0];
    Tensor dx = zeros(with_channels(dy.shape(), c_total_), dy.dtype(), dy.device());
    dispatch(
        OpKind::split, dy,
        [&](auto tag) {
          using T = decltype(tag);
          cpu::copy_channels_into<T>(b_, dy.size(1), dy.data<T>(), c_total_, start_, dx.data<T>(), false);
        },
        REVGAN_CUDA_BRANCH([&](auto tag) {
          using T = decltype(tag);
          REVGAN_CUDA_CHECK(kcuda::copy_channels_into<T>(b_, dy.size(1), dy.data<T>(), c_total_, start_, dx.data<T>(),
                                                         false, cuda::stream()));
        }));
    return {dx};
  }

 private:
  ChannelBlock b_;
  int64_t c_total_, start_;
};

void check_has_channels(OpKind op, std::string_view name, const Tensor& t) {
  check_rank(op, name, t, 2, 5);
}

}  // namespace

Tensor concat_channels(const std::vector<Tensor>& parts) {
  constexpr OpKind op = OpKind::concat;
  REVGAN_CHECK(!parts.empty(), "{}: needs at least one part, got none", op_name(op));
  check_has_channels(op, "parts[0]", parts[0]);
  const Tensor& first = parts[0];
  int64_t c_total = 0;
  std::vector<int64_t> channels;
  std::vector<const Tensor*> inputs;
  bool needs_grad = false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Tensor& p = parts[i];
    const std::string name = fmt::format("parts[{}]", i);
    check_compatible(op, name, p, "parts[0]", first);
    bool same = p.dim() == first.dim() && p.size(0) == first.size(0);
    for (int a = 2; same && a < p.dim(); ++a) same = p.size(a) == first.size(a);
    REVGAN_CHECK(same, "{}: part {} has shape {} but part 0 has shape {}; all dims but the channels (dim 1) must match",
                 op_name(op), i, p.shape().str(), first.shape().str());
    c_total += p.size(1);
    channels.push_back(p.size(1));
    inputs.push_back(&p);
    needs_grad = needs_grad || any_requires_grad({&p});
  }

  const ChannelBlock b = block_of(first);
  Tensor y = Tensor::empty(with_channels(first.shape(), c_total), first.dtype(), first.device());
  dispatch(
      op, first,
      [&](auto tag) {
        using T = decltype(tag);
        int64_t offset = 0;
        for (const Tensor& p : parts) {
          cpu::copy_channels_into<T>(b, p.size(1), p.data<T>(), c_total, offset, y.data<T>(), false);
          offset += p.size(1);
        }
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        int64_t offset = 0;
        for (const Tensor& p : parts) {
          REVGAN_CUDA_CHECK(kcuda::copy_channels_into<T>(b, p.size(1), p.data<T>(), c_total, offset, y.data<T>(),
                                                         false, cuda::stream()));
          offset += p.size(1);
        }
      }));
  if (needs_grad) std::make_shared<ConcatBackward>(b, std::move(channels))->connect(inputs, {&y});
  return y;
}

std::vector<Tensor> split_channels(const Tensor& x, const std::vector<int64_t>& sizes) {
  constexpr OpKind op = OpKind::split;
  check_has_channels(op, "x", x);
  REVGAN_CHECK(!sizes.empty(), "{}: 'sizes' must hold at least one channel count, got none", op_name(op));
  int64_t sum = 0;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    REVGAN_CHECK(sizes[k] >= 1, "{}: 'sizes' must be positive, got {} at index {}", op_name(op), sizes[k], k);
    sum += sizes[k];
  }
  REVGAN_CHECK(sum == x.size(1), "{}: 'sizes' sum to {} but x {} has {} channels", op_name(op), sum, x.shape().str(),
               x.size(1));

  const ChannelBlock b = block_of(x);
  std::vector<Tensor> ys;
  ys.reserve(sizes.size());
  dispatch(
      op, x,
      [&](auto tag) {
        using T = decltype(tag);
        int64_t offset = 0;
        for (int64_t c : sizes) {
          Tensor y = Tensor::empty(with_channels(x.shape(), c), x.dtype(), x.device());
          cpu::copy_channels_from<T>(b, x.size(1), offset, x.data<T>(), c, y.data<T>(), false);
          ys.push_back(std::move(y));
          offset += c;
        }
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        int64_t offset = 0;
        for (int64_t c : sizes) {
          Tensor y = Tensor::empty(with_channels(x.shape(), c), x.dtype(), x.device());
          REVGAN_CUDA_CHECK(kcuda::copy_channels_from<T>(b, x.size(1), offset, x.data<T>(), c, y.data<T>(), false,
                                                         cuda::stream()));
          ys.push_back(std::move(y));
          offset += c;
        }
      }));
  if (any_requires_grad({&x})) {
    std::vector<Tensor*> outputs;
    for (Tensor& y : ys) outputs.push_back(&y);
    std::make_shared<SplitBackward>(b, sizes)->connect({&x}, outputs);
  }
  return ys;
}

Tensor slice_channels(const Tensor& x, int64_t start, int64_t length) {
  constexpr OpKind op = OpKind::split;
  check_has_channels(op, "x", x);
  REVGAN_CHECK(start >= 0 && length >= 1 && start + length <= x.size(1),
               "{}: slice_channels of channels [{}, {}) is out of range for x {} (needs 0 <= start, length >= 1, "
               "start + length <= {})",
               op_name(op), start, start + length, x.shape().str(), x.size(1));
  const ChannelBlock b = block_of(x);
  Tensor y = Tensor::empty(with_channels(x.shape(), length), x.dtype(), x.device());
  dispatch(
      op, x,
      [&](auto tag) {
        using T = decltype(tag);
        cpu::copy_channels_from<T>(b, x.size(1), start, x.data<T>(), length, y.data<T>(), false);
      },
      REVGAN_CUDA_BRANCH([&](auto tag) {
        using T = decltype(tag);
        REVGAN_CUDA_CHECK(kcuda::copy_channels_from<T>(b, x.size(1), start, x.data<T>(), length, y.data<T>(), false,
                                                       cuda::stream()));
      }));
  if (any_requires_grad({&x})) std::make_shared<SliceBackward>(b, x.size(1), start)->connect({&x}, {&y});
  return y;
}

}  // namespace revgan::ops
