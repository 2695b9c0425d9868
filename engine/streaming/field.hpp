// Activations that can be read box by box. A StoredField holds a whole activation in host
// memory; the others compute any box of theirs from the box of their source that box depends
// on (geometry.hpp), so a chain of them evaluates a network on one tile exactly, halo and
// image borders included. Instance norms appear as pointwise ops once their statistics are
// known. Convolutions run on the compute device; everything else runs on the host.
#pragma once

#include <memory>
#include <vector>

#include "engine/core/device.hpp"
#include "engine/streaming/channel_stats.hpp"
#include "engine/streaming/geometry.hpp"

namespace revgan::streaming {

// Bytes a dry run would have held: stored buffers (hold / release) and the transient peak of
// a pass on top of them (touch).
class MemoryModel {
 public:
  void hold(int64_t bytes);
  void release(int64_t bytes) { live_ -= bytes; }
  void touch(int64_t transient_bytes);
  int64_t live() const { return live_; }
  int64_t peak() const { return peak_; }

 private:
  int64_t live_ = 0, peak_ = 0;
};

class Field {
 public:
  Field(int64_t channels, const Axes& extent, int dims) : channels_(channels), extent_(extent), dims_(dims) {}
  virtual ~Field() = default;
  Field(const Field&) = delete;
  Field& operator=(const Field&) = delete;

  int64_t channels() const { return channels_; }
  const Axes& extent() const { return extent_; }
  int dims() const { return dims_; }
  int64_t numel() const { return channels_ * volume(extent_); }
  int64_t bytes(const Box& box) const;

  // The values in `box` as a new CPU float32 [1, C, (d,) h, w] tensor (the caller may modify it).
  virtual Tensor read(const Box& box) const = 0;
  // The most bytes read(box) holds at once while it runs, its result included.
  virtual int64_t read_peak(const Box& box) const = 0;

 private:
  int64_t channels_;
  Axes extent_;
  int dims_;
};
using FieldPtr = std::shared_ptr<const Field>;

// A whole activation in host memory. In a dry run it holds no data, only its bytes in the model.
class StoredField : public Field, public std::enable_shared_from_this<StoredField> {
 public:
  // A new buffer (uninitialised), or its size held in `dry`; `owned` false stands for a
  // caller's tensor in a dry run.
  StoredField(int64_t channels, const Axes& extent, int dims, MemoryModel* dry, bool owned = true);
  // The caller's [1, C, ...] CPU float32 tensor, read only.
  StoredField(Tensor tensor, int dims);
  ~StoredField() override;

  Tensor read(const Box& box) const override;
  int64_t read_peak(const Box& box) const override { return bytes(box); }
  // Channels [start, start + count): a view sharing this buffer (which stays alive with it).
  std::shared_ptr<StoredField> channels_view(int64_t start, int64_t count) const;

  const Tensor& tensor() const { return tensor_; }  // undefined in a dry run
  // False for the caller's tensor (and views of it): those must not be written.
  bool owned() const { return owned_; }

 private:
  StoredField(int64_t channels, const Axes& extent, int dims, Tensor tensor, std::shared_ptr<const StoredField> base);

  Tensor tensor_;
  bool owned_ = true;
  MemoryModel* model_ = nullptr;  // dry runs: where the bytes are held
  int64_t held_ = 0;
  std::shared_ptr<const StoredField> base_;  // views keep the buffer they look into
};

// A reflection pad, conv or transposed conv of `source`.
class LayerField : public Field {
 public:
  LayerField(FieldPtr source, const Layer& layer, Device device);
  Tensor read(const Box& box) const override;
  int64_t read_peak(const Box& box) const override;

 private:
  // The box of the zero-padded input a conv reads for `box` (may reach outside the source).
  Box padded_input_box(const Box& box) const;

  FieldPtr source_;
  const Layer& layer_;
  Device device_;
};

// Instance norms with known statistics and activations, applied in order.
struct PointwiseOp {
  LayerKind kind = LayerKind::relu;
  std::shared_ptr<const ChannelStats> stats;  // instance_norm
  double eps = 0, slope = 0;
};

class PointwiseField : public Field {
 public:
  PointwiseField(FieldPtr source, std::vector<PointwiseOp> ops);
  Tensor read(const Box& box) const override;
  int64_t read_peak(const Box& box) const override { return source_->read_peak(box); }

  // The ops, in place on any CPU float32 [1, C, ...] tensor.
  void apply(Tensor& t) const;
  const FieldPtr& source() const { return source_; }
  const std::vector<PointwiseOp>& ops() const { return ops_; }

 private:
  FieldPtr source_;
  std::vector<PointwiseOp> ops_;
};

}  // namespace revgan::streaming
