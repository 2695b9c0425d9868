// A small typed layer over the HDF5 C API, shared by the engine's HDF5 files (checkpoints) and
// the volume files of data/: groups, float datasets (checksummed with Fletcher-32 whenever they
// hold data), scalar and array attributes, UTF-8 strings, and reads that check type and shape
// before anything is allocated. Every failure names its context (the file, and the operation)
// and the object. Use under an H5ErrorSilencer (engine/io/hdf5_handle.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/io/hdf5_handle.hpp"
#include "engine/tensor/tensor.hpp"

namespace revgan::io {

std::string dims_text(const std::vector<hsize_t>& dims);  // "[2, 3]"

class H5Writer {
 public:
  // `context` starts every message, e.g. "save_checkpoint: 'run/latest.h5'".
  explicit H5Writer(std::string context);

  // Creates the group (and any missing intermediate ones).
  H5Handle create_group(hid_t loc, const std::string& name) const;
  // A dataset of `dims` (a scalar when empty) of `file_type`, written from `data` of
  // `memory_type`; one chunk with a Fletcher-32 checksum when it has data and a rank.
  H5Handle write_array(hid_t loc, const std::string& name, hid_t file_type, hid_t memory_type, const void* data,
                       const std::vector<hsize_t>& dims) const;
  // A float32 / float64 tensor (copied to the host first).
  void write_tensor(hid_t loc, const std::string& name, const Tensor& t) const;
  // A single integer, stored with shape [1] so that it carries a checksum too.
  void write_int64(hid_t loc, const std::string& name, int64_t value) const;

  void write_attribute(hid_t loc, const std::string& name, int64_t value) const;  // int64
  void write_attribute(hid_t loc, const std::string& name, int32_t value) const;  // int32
  void write_attribute(hid_t loc, const std::string& name, double value) const;
  void write_attribute(hid_t loc, const std::string& name, const std::vector<double>& values,
                       const std::vector<hsize_t>& dims) const;
  // Variable-length UTF-8: no size limit, and h5py reads it as str.
  void write_attribute(hid_t loc, const std::string& name, const std::string& value) const;

 private:
  void check(bool ok, const std::string& what) const;
  std::string context_;
  H5Handle link_properties_;
};

class H5Reader {
 public:
  explicit H5Reader(std::string context);  // e.g. "load_checkpoint: 'run/latest.h5'"
  const std::string& context() const { return context_; }

  H5Handle open_group(hid_t loc, const std::string& name) const;
  H5Handle open_dataset(hid_t loc, const std::string& name, const std::string& what) const;
  // Dataset paths below `group`, relative to it, '/'-separated, sorted.
  std::vector<std::string> datasets_below(hid_t group, const std::string& group_name) const;
  std::vector<hsize_t> dims(hid_t dataset, const std::string& what) const;
  // Why reading a dataset that opened can fail: its checksum (when it has one) or truncation.
  static std::string damage_hint(hid_t dataset);

  // Dataset `name`, which must be `dtype` of `shape`, into a host tensor; `what` names it in
  // errors ("parameter 'enc.conv.weight'").
  Tensor read_tensor(hid_t loc, const std::string& name, const std::string& what, const Shape& shape,
                     DType dtype) const;
  // Dataset `name` with whatever float type and shape the file gives it.
  Tensor read_any_tensor(hid_t loc, const std::string& name, const std::string& what) const;
  // A single integer: shape [1] or a scalar.
  int64_t read_int64(hid_t loc, const std::string& name, const std::string& what) const;

  std::vector<std::string> attribute_names(hid_t loc) const;
  int64_t read_int_attribute(hid_t loc, const std::string& name) const;
  // Accepts variable-length (what we write) and fixed-length strings (what other tools may).
  std::string read_string_attribute(hid_t loc, const std::string& name) const;
  // Absent: nothing. Present with another element count: an error, not a silent default.
  std::optional<std::vector<double>> read_doubles_attribute(hid_t loc, const std::string& name,
                                                            std::size_t count) const;

 private:
  H5Handle open_attribute(hid_t loc, const std::string& name) const;
  std::string context_;
};

// The bytes of an HDF5 file built in memory through HDF5's core driver (no backing store):
// `fill` writes its contents into the root group. A failing disk then never meets an open HDF5
// file, whose failed close HDF5 1.10 cannot undo; the caller writes the bytes (AtomicFile).
std::vector<char> build_file_image(const std::string& context, const std::function<void(hid_t root)>& fill);

}  // namespace revgan::io
