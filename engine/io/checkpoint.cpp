// Checkpoint writing (built in memory, written to a temporary file, fsync, atomic rename) and
// fully validated loading.
#include "engine/io/checkpoint.hpp"


#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <utility>
#include <vector>

#include "engine/io/atomic_file.hpp"
#include "engine/io/hdf5_handle.hpp"

namespace revgan::io {

namespace {

#if H5_VERSION_GE(1, 12, 0)
using LinkInfo = H5L_info2_t;
herr_t visit_links(hid_t group, H5L_iterate2_t cb, void* data) {
  return H5Lvisit2(group, H5_INDEX_NAME, H5_ITER_INC, cb, data);
}
#else
using LinkInfo = H5L_info_t;
herr_t visit_links(hid_t group, H5L_iterate_t cb, void* data) {
  return H5Lvisit(group, H5_INDEX_NAME, H5_ITER_INC, cb, data);
}
#endif

constexpr const char* k_parameters = "parameters";
constexpr const char* k_optimizer = "optimizer";
constexpr const char* k_tensors = "tensors";
constexpr std::string_view k_reserved_attributes[] = {"format_version", "step", "epoch", "config"};
constexpr const char* k_moment_groups[] = {"exp_avg", "exp_avg_sq"};

std::function<void(const std::string&)>& before_rename_hook() {
  static std::function<void(const std::string&)> hook;
  return hook;
}

// Module paths are dotted; in the file each component becomes a group level.
std::string to_h5_path(std::string dotted) {
  std::replace(dotted.begin(), dotted.end(), '.', '/');
  return dotted;
}
std::string to_dotted(std::string h5_path) {
  std::replace(h5_path.begin(), h5_path.end(), '/', '.');
  return h5_path;
}

hid_t file_type_of(DType dtype) { return dtype == DType::float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE; }
hid_t memory_type_of(DType dtype) { return dtype == DType::float32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE; }

std::string dims_str(const std::vector<hsize_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", dims[i]);
  return s + "]";
}

// ---------------------------------------------------------------------------------------------
// Writing

class Writer {
 public:
  explicit Writer(std::string final_path) : path_(std::move(final_path)) {
    lcpl_ = h5_plist(H5Pcreate(H5P_LINK_CREATE));
    check(lcpl_.valid() && H5Pset_create_intermediate_group(lcpl_.get(), 1) >= 0, "a link property list");
  }

  H5Handle create_group(hid_t loc, const std::string& name) {
    H5Handle g = h5_group(H5Gcreate2(loc, name.c_str(), lcpl_.get(), H5P_DEFAULT, H5P_DEFAULT));
    check(g.valid(), fmt::format("group '{}'", name));
    return g;
  }

  void write_tensor(hid_t loc, const std::string& name, const Tensor& t) {
    const Tensor host = t.to(Device::cpu());
    std::vector<hsize_t> dims(host.shape().begin(), host.shape().end());
    H5Handle space = h5_space(dims.empty() ? H5Screate(H5S_SCALAR)
                                           : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
    check(space.valid(), fmt::format("the dataspace of '{}'", name));
    H5Handle dcpl = checksummed_layout(dims, host.numel() > 0, name);
    H5Handle ds = h5_dataset(H5Dcreate2(loc, name.c_str(), file_type_of(host.dtype()), space.get(), lcpl_.get(),
                                        dcpl.valid() ? dcpl.get() : H5P_DEFAULT, H5P_DEFAULT));
    check(ds.valid(), fmt::format("dataset '{}'", name));
    if (host.numel() > 0)
      check(H5Dwrite(ds.get(), memory_type_of(host.dtype()), H5S_ALL, H5S_ALL, H5P_DEFAULT, host.raw_data()) >= 0,
            fmt::format("the data of '{}'", name));
  }

  // Shape [1] rather than a scalar: only chunked datasets can carry a checksum.
  void write_int64_dataset(hid_t loc, const std::string& name, int64_t value) {
    const std::vector<hsize_t> dims{1};
    H5Handle space = h5_space(H5Screate_simple(1, dims.data(), nullptr));
    H5Handle dcpl = checksummed_layout(dims, true, name);
    H5Handle ds = h5_dataset(
        H5Dcreate2(loc, name.c_str(), H5T_STD_I64LE, space.get(), lcpl_.get(), dcpl.get(), H5P_DEFAULT));
    check(ds.valid() && H5Dwrite(ds.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value) >= 0,
          fmt::format("dataset '{}'", name));
  }

  template <class T>
  void write_scalar_attribute(hid_t loc, const std::string& name, hid_t file_type, hid_t memory_type, T value) {
    H5Handle space = h5_space(H5Screate(H5S_SCALAR));
    H5Handle attr = h5_attribute(H5Acreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT));
    check(attr.valid() && H5Awrite(attr.get(), memory_type, &value) >= 0, fmt::format("attribute '{}'", name));
  }

  // Variable-length UTF-8: no size limit for long configs, and h5py reads it as str.
  void write_string_attribute(hid_t loc, const std::string& name, const std::string& value) {
    H5Handle type = h5_type(H5Tcopy(H5T_C_S1));
    check(type.valid() && H5Tset_size(type.get(), H5T_VARIABLE) >= 0 &&
              H5Tset_cset(type.get(), H5T_CSET_UTF8) >= 0,
          "a string type");
    H5Handle space = h5_space(H5Screate(H5S_SCALAR));
    H5Handle attr = h5_attribute(H5Acreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
    const char* text = value.c_str();
    check(attr.valid() && H5Awrite(attr.get(), type.get(), &text) >= 0, fmt::format("attribute '{}'", name));
  }

 private:
  void check(bool ok, const std::string& what) const {
    REVGAN_CHECK(ok, "save_checkpoint: '{}': cannot write {}", path_, what);
  }

  // One chunk holding the whole dataset, with HDF5's Fletcher-32 checksum, so a damaged weight
  // is refused on load. None for scalars and empty datasets (HDF5 cannot chunk them).
  H5Handle checksummed_layout(const std::vector<hsize_t>& dims, bool has_data, const std::string& name) const {
    if (dims.empty() || !has_data) return {};
    H5Handle dcpl = h5_plist(H5Pcreate(H5P_DATASET_CREATE));
    check(dcpl.valid() && H5Pset_chunk(dcpl.get(), static_cast<int>(dims.size()), dims.data()) >= 0 &&
              H5Pset_fletcher32(dcpl.get()) >= 0,
          fmt::format("the checksummed layout of '{}'", name));
    return dcpl;
  }

  std::string path_;
  H5Handle lcpl_;
};

// The group of part `name` below `base` ("parameters", "optimizer"): the base itself for the
// single-part layout (empty name), else a nested group per dotted component.
std::string part_group(const char* base, const std::string& name) {
  return name.empty() ? std::string(base) : fmt::format("{}/{}", base, to_h5_path(name));
}

void write_optimizer(Writer& w, hid_t opt_group, const optim::Adam& optimizer) {
  const hid_t opt = opt_group;
  const optim::AdamOptions& o = optimizer.options();
  w.write_string_attribute(opt, "type", "adam");
  w.write_scalar_attribute<int64_t>(opt, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, optimizer.step_count());
  // Informational only (see load_checkpoint).
  w.write_scalar_attribute(opt, "lr", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, o.lr);
  w.write_scalar_attribute(opt, "beta1", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, o.beta1);
  w.write_scalar_attribute(opt, "beta2", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, o.beta2);
  w.write_scalar_attribute(opt, "eps", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, o.eps);
  H5Handle exp_avg = w.create_group(opt, "exp_avg");
  H5Handle exp_avg_sq = w.create_group(opt, "exp_avg_sq");
  H5Handle steps = w.create_group(opt, "step");
  for (const auto& [name, _] : optimizer.named_parameters()) {
    const optim::AdamParamState* s = optimizer.state(name);
    if (s == nullptr) continue;  // never updated: nothing to resume
    const std::string h5 = to_h5_path(name);
    w.write_tensor(exp_avg.get(), h5, s->exp_avg);
    w.write_tensor(exp_avg_sq.get(), h5, s->exp_avg_sq);
    w.write_int64_dataset(steps.get(), h5, s->step);
  }
}

// The checkpoint's bytes, built in memory through HDF5's core driver (no backing store): a
// failing disk then never meets an open HDF5 file, whose failed close HDF5 1.10 cannot undo.
std::vector<char> checkpoint_image(const std::string& final_path, const std::string& temp_path,
                                   const CheckpointParts& parts, const CheckpointMeta& meta) {
  H5Handle fapl = h5_plist(H5Pcreate(H5P_FILE_ACCESS));
  // The earliest file format on purpose: HDF5 1.10's H5Fget_file_image copies a version-2
  // superblock without updating its checksum, so the newer, metadata-checksummed format cannot be
  // built in memory. The data is checksummed per dataset instead (checksummed_layout).
  REVGAN_CHECK(fapl.valid() && H5Pset_fapl_core(fapl.get(), std::size_t{1} << 22, 0) >= 0,
               "save_checkpoint: '{}': cannot set up an in-memory HDF5 file", final_path);
  H5Handle file = h5_file(H5Fcreate(temp_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
  REVGAN_CHECK(file.valid(), "save_checkpoint: '{}': cannot create the in-memory file", final_path);
  Writer w(final_path);
  const hid_t root = file.get();

  w.write_scalar_attribute(root, "format_version", H5T_STD_I32LE, H5T_NATIVE_INT, checkpoint_format_version);
  w.write_scalar_attribute<int64_t>(root, "step", H5T_STD_I64LE, H5T_NATIVE_INT64, meta.step);
  w.write_scalar_attribute<int64_t>(root, "epoch", H5T_STD_I64LE, H5T_NATIVE_INT64, meta.epoch);
  w.write_string_attribute(root, "config", meta.config);
  for (const auto& [key, value] : meta.extra) w.write_string_attribute(root, key, value);

  {
    H5Handle params = w.create_group(root, k_parameters);
    for (const auto& [part, module] : parts.modules) {
      H5Handle g = part.empty() ? H5Handle() : w.create_group(params.get(), to_h5_path(part));
      const hid_t loc = part.empty() ? params.get() : g.get();
      for (const auto& [name, t] : module->named_parameters()) w.write_tensor(loc, to_h5_path(name), t);
    }
  }

  if (!parts.optimizers.empty()) {
    H5Handle opt = w.create_group(root, k_optimizer);
    for (const auto& [part, optimizer] : parts.optimizers) {
      if (part.empty()) {
        write_optimizer(w, opt.get(), *optimizer);
      } else {
        H5Handle g = w.create_group(opt.get(), to_h5_path(part));
        write_optimizer(w, g.get(), *optimizer);
      }
    }
  }

  if (!parts.tensors.empty()) {
    H5Handle tensors = w.create_group(root, k_tensors);
    for (const auto& [name, t] : parts.tensors) w.write_tensor(tensors.get(), to_h5_path(name), t);
  }

  REVGAN_CHECK(H5Fflush(root, H5F_SCOPE_GLOBAL) >= 0, "save_checkpoint: '{}': flushing the in-memory file failed",
               final_path);
  const ssize_t size = H5Fget_file_image(root, nullptr, 0);
  REVGAN_CHECK(size > 0, "save_checkpoint: '{}': cannot size the in-memory file", final_path);
  std::vector<char> image(static_cast<std::size_t>(size));
  REVGAN_CHECK(H5Fget_file_image(root, image.data(), image.size()) == size,
               "save_checkpoint: '{}': cannot copy out the in-memory file", final_path);
  REVGAN_CHECK(file.close(), "save_checkpoint: '{}': closing the in-memory file failed", final_path);
  return image;
}

// Part names: an empty name (the single-part layout) only alone; otherwise dotted, unique.
template <class Named>
void check_part_names(const std::string& path, const Named& parts, const char* kind) {
  std::set<std::string> seen;
  for (const auto& [name, _] : parts) {
    REVGAN_CHECK(!(name.empty() && parts.size() > 1), "checkpoint '{}': an unnamed {} must be the only one", path,
                 kind);
    REVGAN_CHECK(name.find('/') == std::string::npos && name.find("..") == std::string::npos &&
                     (name.empty() || (name.front() != '.' && name.back() != '.')),
                 "checkpoint '{}': invalid {} name '{}'", path, kind, name);
    REVGAN_CHECK(seen.insert(name).second, "checkpoint '{}': {} '{}' is listed twice", path, kind, name);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

herr_t collect_dataset(hid_t group, const char* name, const LinkInfo* info, void* data) noexcept {
  try {
    if (info->type != H5L_TYPE_HARD) return 0;
    H5Handle obj = h5_object(H5Oopen(group, name, H5P_DEFAULT));
    if (obj.valid() && H5Iget_type(obj.get()) == H5I_DATASET)
      static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  } catch (...) {
    return -1;  // exceptions must not cross HDF5's C frames
  }
}

herr_t collect_attribute(hid_t, const char* name, const H5A_info_t*, void* data) noexcept {
  try {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  } catch (...) {
    return -1;
  }
}

bool has_link(hid_t loc, const std::string& name) { return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0; }

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  H5Handle open_group(hid_t loc, const std::string& name) {
    H5Handle g = h5_group(H5Gopen2(loc, name.c_str(), H5P_DEFAULT));
    REVGAN_CHECK(g.valid(), "load_checkpoint: '{}': '{}' is not a group", path_, name);
    return g;
  }

  // Dataset paths below `group`, relative to it, '/'-separated, sorted.
  std::vector<std::string> datasets_below(hid_t group, const std::string& group_name) {
    std::vector<std::string> names;
    REVGAN_CHECK(visit_links(group, collect_dataset, &names) >= 0, "load_checkpoint: '{}': cannot list '{}'", path_,
                 group_name);
    std::sort(names.begin(), names.end());
    return names;
  }

  // Reads dataset `name` (below loc) into a host tensor after checking its dtype and shape;
  // `what` names the entry in errors ("parameter 'enc.conv.weight'").
  Tensor read_tensor(hid_t loc, const std::string& name, const std::string& what, const Shape& shape, DType dtype) {
    H5Handle ds = h5_dataset(H5Dopen2(loc, name.c_str(), H5P_DEFAULT));
    REVGAN_CHECK(ds.valid(), "load_checkpoint: '{}': cannot open the dataset of {}", path_, what);
    H5Handle type = h5_type(H5Dget_type(ds.get()));
    const H5T_class_t cls = H5Tget_class(type.get());
    const std::size_t size = H5Tget_size(type.get());
    const std::string found_type = cls == H5T_FLOAT && (size == 4 || size == 8)
                                       ? std::string(size == 4 ? "float32" : "float64")
                                       : fmt::format("a non-float type (class {}, {} bytes)", static_cast<int>(cls), size);
    REVGAN_CHECK(found_type == dtype_name(dtype), "load_checkpoint: '{}': {} is {} in the file, expected {}", path_,
                 what, found_type, dtype_name(dtype));
    const std::vector<hsize_t> dims = dataset_dims(ds.get(), what);
    const std::vector<hsize_t> expected(shape.begin(), shape.end());
    REVGAN_CHECK(dims == expected, "load_checkpoint: '{}': {} has shape {} in the file, expected {}", path_, what,
                 dims_str(dims), shape.str());
    Tensor t = Tensor::empty(shape, dtype);
    if (t.numel() > 0)
      REVGAN_CHECK(H5Dread(ds.get(), memory_type_of(dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT, t.raw_data()) >= 0,
                   "load_checkpoint: '{}': cannot read the data of {}: {}", path_, what, damage_hint(ds.get()));
    return t;
  }

  // Reads dataset `name` with whatever float type and shape the file gives it.
  Tensor read_any_tensor(hid_t loc, const std::string& name, const std::string& what) {
    DType dtype = DType::float32;
    std::vector<hsize_t> dims;
    {
      H5Handle ds = h5_dataset(H5Dopen2(loc, name.c_str(), H5P_DEFAULT));
      REVGAN_CHECK(ds.valid(), "load_checkpoint: '{}': cannot open the dataset of {}", path_, what);
      H5Handle type = h5_type(H5Dget_type(ds.get()));
      const std::size_t size = H5Tget_size(type.get());
      REVGAN_CHECK(H5Tget_class(type.get()) == H5T_FLOAT && (size == 4 || size == 8),
                   "load_checkpoint: '{}': {} is not float32 or float64", path_, what);
      dtype = size == 4 ? DType::float32 : DType::float64;
      dims = dataset_dims(ds.get(), what);
    }
    return read_tensor(loc, name, what, Shape(dims.begin(), dims.end()), dtype);
  }

  // A single integer: shape [1] (checksummed, written since checksums) or a scalar (before).
  int64_t read_int64_dataset(hid_t loc, const std::string& name, const std::string& what) {
    H5Handle ds = h5_dataset(H5Dopen2(loc, name.c_str(), H5P_DEFAULT));
    REVGAN_CHECK(ds.valid(), "load_checkpoint: '{}': cannot open {}", path_, what);
    H5Handle type = h5_type(H5Dget_type(ds.get()));
    const std::vector<hsize_t> dims = dataset_dims(ds.get(), what);
    REVGAN_CHECK(H5Tget_class(type.get()) == H5T_INTEGER && (dims.empty() || dims == std::vector<hsize_t>{1}),
                 "load_checkpoint: '{}': {} must be a single integer", path_, what);
    int64_t value = 0;
    REVGAN_CHECK(H5Dread(ds.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value) >= 0,
                 "load_checkpoint: '{}': cannot read {}: {}", path_, what, damage_hint(ds.get()));
    return value;
  }

  std::vector<std::string> attribute_names(hid_t loc) {
    std::vector<std::string> names;
    hsize_t index = 0;
    REVGAN_CHECK(H5Aiterate2(loc, H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute, &names) >= 0,
                 "load_checkpoint: '{}': cannot list attributes", path_);
    return names;
  }

  int64_t read_int_attribute(hid_t loc, const std::string& name) {
    H5Handle attr = open_attribute(loc, name);
    H5Handle type = h5_type(H5Aget_type(attr.get()));
    REVGAN_CHECK(H5Tget_class(type.get()) == H5T_INTEGER && attribute_points(attr.get()) == 1,
                 "load_checkpoint: '{}': attribute '{}' must be a single integer", path_, name);
    int64_t value = 0;
    REVGAN_CHECK(H5Aread(attr.get(), H5T_NATIVE_INT64, &value) >= 0,
                 "load_checkpoint: '{}': cannot read attribute '{}'", path_, name);
    return value;
  }

  // Accepts variable-length (what we write) and fixed-length strings (what other tools may).
  std::string read_string_attribute(hid_t loc, const std::string& name) {
    H5Handle attr = open_attribute(loc, name);
    H5Handle type = h5_type(H5Aget_type(attr.get()));
    REVGAN_CHECK(H5Tget_class(type.get()) == H5T_STRING && attribute_points(attr.get()) == 1,
                 "load_checkpoint: '{}': attribute '{}' must be a single string", path_, name);
    if (H5Tis_variable_str(type.get()) > 0) {
      H5Handle memory = h5_type(H5Tcopy(H5T_C_S1));
      H5Tset_size(memory.get(), H5T_VARIABLE);
      H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
      char* text = nullptr;
      REVGAN_CHECK(H5Aread(attr.get(), memory.get(), &text) >= 0,
                   "load_checkpoint: '{}': cannot read attribute '{}'", path_, name);
      std::string value = text != nullptr ? text : "";
      H5free_memory(text);
      return value;
    }
    std::string value(H5Tget_size(type.get()), '\0');
    REVGAN_CHECK(H5Aread(attr.get(), type.get(), value.data()) >= 0,
                 "load_checkpoint: '{}': cannot read attribute '{}'", path_, name);
    value.resize(std::min(value.size(), value.find('\0')));
    return value;
  }

 private:
  // Why a read of `ds` can fail on a file that opened: its checksum (when it has one) or truncation.
  static std::string damage_hint(hid_t ds) {
    H5Handle dcpl = h5_plist(H5Dget_create_plist(ds));
    unsigned flags = 0;
    std::size_t n = 0;
    const bool checksummed =
        dcpl.valid() && H5Pget_filter_by_id2(dcpl.get(), H5Z_FILTER_FLETCHER32, &flags, &n, nullptr, 0, nullptr,
                                             nullptr) >= 0;
    return checksummed ? "its checksum does not match (the file is damaged) or the file is truncated"
                       : "the file is truncated or damaged";
  }

  H5Handle open_attribute(hid_t loc, const std::string& name) {
    REVGAN_CHECK(H5Aexists(loc, name.c_str()) > 0, "load_checkpoint: '{}': attribute '{}' is missing", path_, name);
    H5Handle attr = h5_attribute(H5Aopen(loc, name.c_str(), H5P_DEFAULT));
    REVGAN_CHECK(attr.valid(), "load_checkpoint: '{}': cannot open attribute '{}'", path_, name);
    return attr;
  }

  hssize_t attribute_points(hid_t attr) {
    H5Handle space = h5_space(H5Aget_space(attr));
    return H5Sget_simple_extent_npoints(space.get());
  }

  std::vector<hsize_t> dataset_dims(hid_t ds, const std::string& what) {
    H5Handle space = h5_space(H5Dget_space(ds));
    const int rank = H5Sget_simple_extent_ndims(space.get());
    REVGAN_CHECK(rank >= 0, "load_checkpoint: '{}': cannot read the shape of {}", path_, what);
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return dims;
  }

  std::string path_;
};

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < 8; ++i) s += fmt::format("{}'{}'", i ? ", " : "", names[i]);
  if (names.size() > 8) s += fmt::format(" and {} more", names.size() - 8);
  return s;
}

CheckpointMeta read_meta(Reader& r, hid_t root) {
  CheckpointMeta meta;
  REVGAN_CHECK(H5Aexists(root, "format_version") > 0,
               "load_checkpoint: '{}': not a revgan checkpoint (no 'format_version' attribute)", r.path());
  const int64_t version = r.read_int_attribute(root, "format_version");
  REVGAN_CHECK(version >= 1 && version <= checkpoint_format_version,
               "load_checkpoint: '{}': format_version {} is not supported (this build reads 1 to {})", r.path(),
               version, checkpoint_format_version);
  meta.format_version = static_cast<int>(version);
  meta.step = r.read_int_attribute(root, "step");
  meta.epoch = r.read_int_attribute(root, "epoch");
  meta.config = r.read_string_attribute(root, "config");
  for (const std::string& name : r.attribute_names(root)) {
    if (std::find(std::begin(k_reserved_attributes), std::end(k_reserved_attributes), name) !=
        std::end(k_reserved_attributes))
      continue;
    meta.extra[name] = r.read_string_attribute(root, name);
  }
  return meta;
}

// Reads the datasets below `group` named by `expected` (dotted names with the reference shape
// and dtype). Every expected name must be present and nothing else may be.
std::vector<std::pair<std::string, Tensor>> read_mirrored(Reader& r, hid_t group, const std::string& group_name,
                                                          const nn::NamedTensors& expected, const std::string& kind,
                                                          const std::string& owner) {
  std::set<std::string> expected_names, in_file;
  for (const auto& [name, _] : expected) expected_names.insert(name);
  std::vector<std::string> unexpected;
  for (const std::string& h5 : r.datasets_below(group, group_name)) {
    in_file.insert(to_dotted(h5));
    if (!expected_names.count(to_dotted(h5))) unexpected.push_back(to_dotted(h5));
  }
  REVGAN_CHECK(unexpected.empty(), "load_checkpoint: '{}': {} {} in the file but not in the {}: {}", r.path(),
               unexpected.size(), kind, owner, join_names(unexpected));

  std::vector<std::pair<std::string, Tensor>> out;
  for (const auto& [name, ref] : expected) {
    const std::string what = fmt::format("{} '{}'", kind, name);
    REVGAN_CHECK(in_file.count(name), "load_checkpoint: '{}': missing {} (expected {} {}) in {}", r.path(), what,
                 dtype_name(ref.dtype()), ref.shape().str(), group_name);
    out.emplace_back(name, r.read_tensor(group, to_h5_path(name), what, ref.shape(), ref.dtype()));
  }
  return out;
}

struct LoadedState {
  std::string name;
  int64_t step;
  Tensor exp_avg, exp_avg_sq;
};
struct LoadedOptimizer {
  int64_t steps = 0;
  std::vector<LoadedState> states;
};

// Reads one optimizer's state from `opt` (the group named `group_name` in messages) and checks it
// against the optimizer's parameters; changes nothing.
LoadedOptimizer read_optimizer(Reader& r, hid_t opt, const std::string& group_name, const optim::Adam& optimizer) {
  const std::string& path = r.path();
  LoadedOptimizer out;
  out.steps = r.read_int_attribute(opt, "step");
  // The parameters that have state are those with an exp_avg entry; the other trees must match.
  nn::NamedTensors with_state;
  {
    std::set<std::string> in_file;
    if (has_link(opt, "exp_avg")) {
      H5Handle g = r.open_group(opt, "exp_avg");
      for (const std::string& h5 : r.datasets_below(g.get(), group_name + "/exp_avg")) in_file.insert(to_dotted(h5));
    }
    for (const auto& [name, t] : optimizer.named_parameters())
      if (in_file.count(name)) with_state.emplace_back(name, t);
  }
  std::vector<std::vector<std::pair<std::string, Tensor>>> moments;
  for (const char* moment : k_moment_groups) {
    H5Handle g = r.open_group(opt, moment);
    moments.push_back(read_mirrored(r, g.get(), fmt::format("{}/{}", group_name, moment), with_state,
                                    fmt::format("optimizer {} of parameter", moment), "optimizer"));
  }
  H5Handle steps = r.open_group(opt, "step");
  std::set<std::string> state_names;
  for (const auto& [name, _] : with_state) state_names.insert(name);
  std::set<std::string> step_names;
  std::vector<std::string> unexpected;
  for (const std::string& h5 : r.datasets_below(steps.get(), group_name + "/step")) {
    step_names.insert(to_dotted(h5));
    if (!state_names.count(to_dotted(h5))) unexpected.push_back(to_dotted(h5));
  }
  REVGAN_CHECK(unexpected.empty(), "load_checkpoint: '{}': unexpected optimizer step entries: {}", path,
               join_names(unexpected));
  for (std::size_t i = 0; i < with_state.size(); ++i) {
    const std::string& name = with_state[i].first;
    const std::string what = fmt::format("optimizer step of parameter '{}'", name);
    REVGAN_CHECK(step_names.count(name), "load_checkpoint: '{}': missing {}", path, what);
    const int64_t step = r.read_int64_dataset(steps.get(), to_h5_path(name), what);
    REVGAN_CHECK(step >= 1, "load_checkpoint: '{}': {} is {}, expected >= 1", path, what, step);
    out.states.push_back({name, step, moments[0][i].second, moments[1][i].second});
  }
  return out;
}

// Opens `path` read-only after the checks every load makes (exists, HDF5, opens).
H5Handle open_for_reading(const std::string& path) {
  std::error_code ec;
  REVGAN_CHECK(std::filesystem::is_regular_file(path, ec), "load_checkpoint: '{}' does not exist or is not a file",
               path);
  REVGAN_CHECK(H5Fis_hdf5(path.c_str()) > 0, "load_checkpoint: '{}' is not an HDF5 file", path);
  H5Handle file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  REVGAN_CHECK(file.valid(), "load_checkpoint: '{}': cannot open the HDF5 file (truncated or corrupt?)", path);
  return file;
}

}  // namespace

void testing::set_before_rename_hook(std::function<void(const std::string&)> hook) {
  before_rename_hook() = std::move(hook);
}

void save_checkpoint(const std::string& path, const CheckpointParts& parts, const CheckpointMeta& meta) {
  for (const auto& [key, _] : meta.extra) {
    REVGAN_CHECK(!key.empty() && key.find('/') == std::string::npos,
                 "save_checkpoint: '{}': invalid extra attribute name '{}'", path, key);
    REVGAN_CHECK(std::find(std::begin(k_reserved_attributes), std::end(k_reserved_attributes), key) ==
                     std::end(k_reserved_attributes),
                 "save_checkpoint: '{}': extra attribute '{}' clashes with a reserved attribute", path, key);
  }
  check_part_names(path, parts.modules, "module");
  check_part_names(path, parts.optimizers, "optimizer");
  check_part_names(path, parts.tensors, "tensor");
  for (const auto& [name, module] : parts.modules)
    REVGAN_CHECK(module != nullptr, "save_checkpoint: '{}': module '{}' is null", path, name);
  for (const auto& [name, optimizer] : parts.optimizers)
    REVGAN_CHECK(optimizer != nullptr, "save_checkpoint: '{}': optimizer '{}' is null", path, name);
  for (const auto& [name, t] : parts.tensors)
    REVGAN_CHECK(!name.empty() && t.defined() && (t.dtype() == DType::float32 || t.dtype() == DType::float64),
                 "save_checkpoint: '{}': tensor '{}' must be named and a defined float32/float64 tensor", path, name);
  H5ErrorSilencer silence;
  AtomicFile file(path, fmt::format("save_checkpoint: '{}'", path));
  const std::vector<char> image = checkpoint_image(path, file.temp_path().string(), parts, meta);
  file.write(image.data(), image.size());
  if (before_rename_hook()) before_rename_hook()(file.temp_path().string());
  file.commit();
}

void save_checkpoint(const std::string& path, const nn::Module& module, const optim::Adam* optimizer,
                     const CheckpointMeta& meta) {
  CheckpointParts parts;
  parts.modules.emplace_back("", &module);
  if (optimizer != nullptr) parts.optimizers.emplace_back("", optimizer);
  save_checkpoint(path, parts, meta);
}

CheckpointMeta read_checkpoint_meta(const std::string& path) {
  H5ErrorSilencer silence;
  H5Handle file = open_for_reading(path);
  Reader r(path);
  return read_meta(r, file.get());
}

LoadedCheckpoint load_checkpoint(const std::string& path, const CheckpointTargets& targets) {
  check_part_names(path, targets.modules, "module");
  check_part_names(path, targets.optimizers, "optimizer");
  H5ErrorSilencer silence;
  H5Handle file = open_for_reading(path);
  Reader r(path);
  const hid_t root = file.get();

  LoadedCheckpoint out;
  out.meta = read_meta(r, root);

  // Everything is read and checked into host tensors first; modules and optimizers change
  // only once the whole request has proven consistent.
  std::vector<std::vector<std::pair<std::string, Tensor>>> values;
  std::vector<nn::NamedTensors> expected;
  if (!targets.modules.empty()) {
    REVGAN_CHECK(has_link(root, k_parameters), "load_checkpoint: '{}': no '/{}' group", path, k_parameters);
    H5Handle params = r.open_group(root, k_parameters);
    for (const auto& [part, module] : targets.modules) {
      const std::string group_name = fmt::format("/{}", part_group(k_parameters, part));
      expected.push_back(module->named_parameters());
      if (part.empty()) {
        values.push_back(read_mirrored(r, params.get(), group_name, expected.back(), "parameter", "module"));
        continue;
      }
      REVGAN_CHECK(has_link(params.get(), to_h5_path(part)), "load_checkpoint: '{}': no module '{}' (group '{}')",
                   path, part, group_name);
      H5Handle g = r.open_group(params.get(), to_h5_path(part));
      values.push_back(
          read_mirrored(r, g.get(), group_name, expected.back(), "parameter", fmt::format("module '{}'", part)));
    }
  }

  std::vector<LoadedOptimizer> optimizers;
  if (!targets.optimizers.empty()) {
    REVGAN_CHECK(has_link(root, k_optimizer), "load_checkpoint: '{}': no '/{}' group (saved without optimizer state)",
                 path, k_optimizer);
    H5Handle opt = r.open_group(root, k_optimizer);
    for (const auto& [part, optimizer] : targets.optimizers) {
      const std::string group_name = fmt::format("/{}", part_group(k_optimizer, part));
      if (part.empty()) {
        optimizers.push_back(read_optimizer(r, opt.get(), group_name, *optimizer));
        continue;
      }
      REVGAN_CHECK(has_link(opt.get(), to_h5_path(part)), "load_checkpoint: '{}': no optimizer '{}' (group '{}')",
                   path, part, group_name);
      H5Handle g = r.open_group(opt.get(), to_h5_path(part));
      optimizers.push_back(read_optimizer(r, g.get(), group_name, *optimizer));
    }
  }

  if (targets.read_tensors && has_link(root, k_tensors)) {
    H5Handle tensors = r.open_group(root, k_tensors);
    for (const std::string& h5 : r.datasets_below(tensors.get(), "/tensors"))
      out.tensors.emplace_back(to_dotted(h5), r.read_any_tensor(tensors.get(), h5, fmt::format("tensor '{}'", h5)));
  }

  for (std::size_t m = 0; m < expected.size(); ++m)
    for (std::size_t i = 0; i < expected[m].size(); ++i) {
      Tensor param = expected[m][i].second;
      param.copy_from(values[m][i].second);
    }
  for (std::size_t k = 0; k < optimizers.size(); ++k) {
    optim::Adam& optimizer = *targets.optimizers[k].second;
    optimizer.clear_state();
    for (const LoadedState& s : optimizers[k].states) optimizer.set_state(s.name, s.step, s.exp_avg, s.exp_avg_sq);
    optimizer.set_step_count(optimizers[k].steps);
  }
  return out;
}

CheckpointMeta load_checkpoint(const std::string& path, nn::Module& module, optim::Adam* optimizer) {
  CheckpointTargets targets;
  targets.modules.emplace_back("", &module);
  if (optimizer != nullptr) targets.optimizers.emplace_back("", optimizer);
  return load_checkpoint(path, targets).meta;
}

}  // namespace revgan::io
