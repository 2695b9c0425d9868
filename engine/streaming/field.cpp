// Fields: stored buffers, per-box evaluation of pads and (transposed) convolutions, pointwise
// ops through the same CPU kernels the ops use, so a box matches the whole-tensor op.
#include "engine/streaming/field.hpp"

#include <algorithm>

#include "engine/ops/conv.hpp"
#include "engine/streaming/box_copy.hpp"
#include "engine/streaming/layer_memory.hpp"
#include "kernels/cpu/elementwise.hpp"

namespace revgan::streaming {

void MemoryModel::hold(int64_t bytes) {
  live_ += bytes;
  peak_ = std::max(peak_, live_);
}

void MemoryModel::touch(int64_t transient_bytes) {
  peak_ = std::max(peak_, live_ + transient_bytes);
}

int64_t Field::bytes(const Box& box) const {
  return channels_ * box.volume() * k_float_bytes;
}

StoredField::StoredField(int64_t channels, const Axes& extent, int dims, MemoryModel* dry, bool owned)
    : Field(channels, extent, dims), owned_(owned), model_(dry) {
  if (dry != nullptr) {
    held_ = numel() * k_float_bytes;
    dry->hold(held_);
  } else {
    tensor_ = box_tensor(1, channels, extent, dims);
  }
}

StoredField::StoredField(Tensor tensor, int dims)
    : Field(tensor.size(1), spatial_extent(tensor), dims), tensor_(std::move(tensor)), owned_(false) {
  REVGAN_CHECK(tensor_.size(0) == 1 && tensor_.dim() == dims + 2 && tensor_.dtype() == DType::float32 &&
                   tensor_.device().is_cpu(),
               "streamed run: expected one CPU float32 input with {} spatial axes, got {}", dims, tensor_.describe());
}

StoredField::StoredField(int64_t channels, const Axes& extent, int dims, Tensor tensor,
                         std::shared_ptr<const StoredField> base)
    : Field(channels, extent, dims), tensor_(std::move(tensor)), owned_(base->owned()), base_(std::move(base)) {}

StoredField::~StoredField() {
  if (model_ != nullptr) model_->release(held_);
}

Tensor StoredField::read(const Box& box) const {
  REVGAN_CHECK(tensor_.defined(), "streamed run: a dry run reads no data");
  return crop_box(tensor_, box);
}

std::shared_ptr<StoredField> StoredField::channels_view(int64_t start, int64_t count) const {
  REVGAN_CHECK(start >= 0 && count > 0 && start + count <= channels(), "channels_view: [{}, {}) of {} channels", start,
               start + count, channels());
  return std::shared_ptr<StoredField>(
      new StoredField(count, extent(), dims(), tensor_.defined() ? tensor_.narrow_channels(start, count) : Tensor(),
                      shared_from_this()));
}

LayerField::LayerField(FieldPtr source, const Layer& layer, Device device)
    : Field(output_channels(layer, source->channels()), output_extent(layer, source->extent(), source->dims()),
            source->dims()),
      source_(std::move(source)),
      layer_(layer),
      device_(device) {
  REVGAN_CHECK(!is_pointwise(layer.kind), "LayerField: pointwise layers go to PointwiseField");
}

Box LayerField::padded_input_box(const Box& box) const {
  Box p = box;
  for (int a = 3 - dims(); a < 3; ++a) {
    const std::size_t i = static_cast<std::size_t>(a);
    p.lo[i] = box.lo[i] * layer_.stride - layer_.padding;
    p.hi[i] = (box.hi[i] - 1) * layer_.stride - layer_.padding + layer_.kernel;
  }
  return p;
}

namespace {

// The layer as it runs on a local input that already holds its padding.
Layer unpadded(const Layer& l, const Axes& output_padding) {
  Layer local = l;
  local.padding = 0;
  local.output_padding = *std::max_element(output_padding.begin(), output_padding.end());
  return local;
}

// Where a transposed conv on the source box `in` puts its first output, per axis.
Axes transpose_origin(const Layer& l, const Box& in, int dims) {
  Axes o{0, 0, 0};
  for (int a = 3 - dims; a < 3; ++a)
    o[static_cast<std::size_t>(a)] = in.lo[static_cast<std::size_t>(a)] * l.stride - l.padding;
  return o;
}

// Output padding a transposed conv on `in` needs to reach the end of `box` (only bias there).
Axes transpose_tail(const Layer& l, const Box& in, const Box& box, int dims) {
  Axes tail{0, 0, 0};
  const Axes origin = transpose_origin(l, in, dims);
  for (int a = 3 - dims; a < 3; ++a) {
    const std::size_t i = static_cast<std::size_t>(a);
    const int64_t end = origin[i] + (in.hi[i] - in.lo[i] - 1) * l.stride + l.kernel;
    tail[i] = std::max<int64_t>(0, box.hi[i] - end);
  }
  return tail;
}

}  // namespace

Tensor LayerField::read(const Box& box) const {
  const Axes& n = source_->extent();
  const Box in_box = input_box(layer_, box, n, dims());
  Tensor in = source_->read(in_box);
  if (layer_.kind == LayerKind::reflection_pad) return mirror_box(in, in_box, box, layer_.pad_before, n);
  if (layer_.kind == LayerKind::conv) {
    const Box padded = padded_input_box(box);
    if (!(padded == in_box)) in = zero_extend(in, in_box, padded);
    ops::ConvOptions options;
    options.stride = {layer_.stride};
    options.padding = {0};
    Tensor y = ops::conv(in.to(device_), layer_.weight, layer_.bias, options).to(Device::cpu());
    REVGAN_CHECK(spatial_extent(y) == box.size(), "streamed conv: computed {} for a box of {}x{}x{}", y.describe(),
                 box.size()[0], box.size()[1], box.size()[2]);
    return y;
  }
  const Axes tail = transpose_tail(layer_, in_box, box, dims());
  const Layer local = unpadded(layer_, tail);
  REVGAN_CHECK(local.output_padding < std::max<int64_t>(layer_.stride, 1),
               "streamed transposed conv: a box ends {} positions past its last input", local.output_padding);
  ops::ConvTransposeOptions options;
  options.stride = {layer_.stride};
  options.padding = {0};
  options.output_padding = std::vector<int64_t>(tail.begin() + (3 - dims()), tail.end());
  Tensor y = ops::conv_transpose(in.to(device_), layer_.weight, layer_.bias, options).to(Device::cpu());
  in = Tensor();
  const Axes origin = transpose_origin(layer_, in_box, dims());
  Box local_box = box;
  for (std::size_t a = 0; a < 3; ++a) {
    local_box.lo[a] -= origin[a];
    local_box.hi[a] -= origin[a];
  }
  return crop_box(y, local_box);
}

int64_t LayerField::read_peak(const Box& box) const {
  const Axes& n = source_->extent();
  const Box in_box = input_box(layer_, box, n, dims());
  const int64_t source_peak = source_->read_peak(in_box);
  const int64_t in_bytes = source_->bytes(in_box), out_bytes = bytes(box);
  if (layer_.kind == LayerKind::reflection_pad) return std::max(source_peak, in_bytes + out_bytes);
  if (layer_.kind == LayerKind::conv) {
    const Box padded = padded_input_box(box);
    const int64_t padded_bytes = padded == in_box ? 0 : source_->bytes(padded);
    const int64_t scratch = scratch_bytes(unpadded(layer_, {0, 0, 0}), 1, source_->channels(), padded.size(), dims());
    return std::max(
        {source_peak, in_bytes + padded_bytes, (padded_bytes > 0 ? padded_bytes : in_bytes) + scratch + out_bytes});
  }
  const Axes tail = transpose_tail(layer_, in_box, box, dims());
  const Layer local = unpadded(layer_, tail);
  const Axes local_extent = output_extent(local, in_box.size(), dims());
  const int64_t local_bytes = channels() * volume(local_extent) * k_float_bytes;
  const int64_t scratch = scratch_bytes(local, 1, source_->channels(), in_box.size(), dims());
  return std::max({source_peak, in_bytes + scratch + local_bytes, local_bytes + out_bytes});
}

PointwiseField::PointwiseField(FieldPtr source, std::vector<PointwiseOp> ops)
    : Field(source->channels(), source->extent(), source->dims()), source_(std::move(source)), ops_(std::move(ops)) {}

Tensor PointwiseField::read(const Box& box) const {
  Tensor t = source_->read(box);
  apply(t);
  return t;
}

void PointwiseField::apply(Tensor& t) const {
  float* x = t.data<float>();
  const int64_t n = t.numel();
  for (const PointwiseOp& op : ops_) {
    switch (op.kind) {
      case LayerKind::instance_norm:
        normalise_in_place(t, *op.stats, op.eps);
        break;
      case LayerKind::relu:
        kernels::cpu::relu_forward<float>(n, x, x);
        break;
      case LayerKind::leaky_relu:
        kernels::cpu::leaky_relu_forward<float>(n, static_cast<float>(op.slope), x, x);
        break;
      case LayerKind::tanh:
        kernels::cpu::tanh_forward<float>(n, x, x);
        break;
      default:
        REVGAN_FAIL("PointwiseField: not a pointwise layer");
    }
  }
}

}  // namespace revgan::streaming
