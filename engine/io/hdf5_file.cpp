// H5Writer, H5Reader and the in-memory file image: the HDF5 calls and their checks, once.
#include "engine/io/hdf5_file.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "engine/core/check.hpp"

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

hid_t file_type_of(DType dtype) { return dtype == DType::float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE; }
hid_t memory_type_of(DType dtype) { return dtype == DType::float32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE; }

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

hssize_t attribute_points(hid_t attr) {
  H5Handle space = h5_space(H5Aget_space(attr));
  return space.valid() ? H5Sget_simple_extent_npoints(space.get()) : -1;
}

}  // namespace

std::string dims_text(const std::vector<hsize_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", dims[i]);
  return s + "]";
}

// ---------------------------------------------------------------------------------------------
// Writing

H5Writer::H5Writer(std::string context) : context_(std::move(context)) {
  link_properties_ = h5_plist(H5Pcreate(H5P_LINK_CREATE));
  check(link_properties_.valid() && H5Pset_create_intermediate_group(link_properties_.get(), 1) >= 0,
        "a link property list");
}

void H5Writer::check(bool ok, const std::string& what) const {
  REVGAN_CHECK(ok, "{}: cannot write {}", context_, what);
}

H5Handle H5Writer::create_group(hid_t loc, const std::string& name) const {
  H5Handle g = h5_group(H5Gcreate2(loc, name.c_str(), link_properties_.get(), H5P_DEFAULT, H5P_DEFAULT));
  check(g.valid(), fmt::format("group '{}'", name));
  return g;
}

H5Handle H5Writer::write_array(hid_t loc, const std::string& name, hid_t file_type, hid_t memory_type,
                               const void* data, const std::vector<hsize_t>& dims) const {
  hsize_t count = 1;
  for (hsize_t d : dims) count *= d;
  H5Handle space = h5_space(dims.empty() ? H5Screate(H5S_SCALAR)
                                         : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  check(space.valid(), fmt::format("the dataspace of '{}'", name));
  // One chunk holding the whole dataset, with HDF5's Fletcher-32 checksum, so damaged data is
  // refused on read. HDF5 cannot chunk scalars or empty datasets.
  H5Handle layout;
  if (!dims.empty() && count > 0) {
    layout = h5_plist(H5Pcreate(H5P_DATASET_CREATE));
    check(layout.valid() && H5Pset_chunk(layout.get(), static_cast<int>(dims.size()), dims.data()) >= 0 &&
              H5Pset_fletcher32(layout.get()) >= 0,
          fmt::format("the checksummed layout of '{}'", name));
  }
  H5Handle ds = h5_dataset(H5Dcreate2(loc, name.c_str(), file_type, space.get(), link_properties_.get(),
                                      layout.valid() ? layout.get() : H5P_DEFAULT, H5P_DEFAULT));
  check(ds.valid(), fmt::format("dataset '{}'", name));
  if (count > 0)
    check(H5Dwrite(ds.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0, fmt::format("the data of '{}'", name));
  return ds;
}

void H5Writer::write_tensor(hid_t loc, const std::string& name, const Tensor& t) const {
  const Tensor host = t.to(Device::cpu());
  const std::vector<hsize_t> dims(host.shape().begin(), host.shape().end());
  write_array(loc, name, file_type_of(host.dtype()), memory_type_of(host.dtype()), host.raw_data(), dims);
}

void H5Writer::write_int64(hid_t loc, const std::string& name, int64_t value) const {
  write_array(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, {1});
}

void H5Writer::write_attribute(hid_t loc, const std::string& name, const std::vector<double>& values,
                               const std::vector<hsize_t>& dims) const {
  H5Handle space = h5_space(dims.empty() ? H5Screate(H5S_SCALAR)
                                         : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  H5Handle attr = h5_attribute(H5Acreate2(loc, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT));
  check(space.valid() && attr.valid() && H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, values.data()) >= 0,
        fmt::format("attribute '{}'", name));
}

void H5Writer::write_attribute(hid_t loc, const std::string& name, double value) const {
  write_attribute(loc, name, std::vector<double>{value}, {});
}

void H5Writer::write_attribute(hid_t loc, const std::string& name, int64_t value) const {
  H5Handle space = h5_space(H5Screate(H5S_SCALAR));
  H5Handle attr = h5_attribute(H5Acreate2(loc, name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT));
  check(attr.valid() && H5Awrite(attr.get(), H5T_NATIVE_INT64, &value) >= 0, fmt::format("attribute '{}'", name));
}

void H5Writer::write_attribute(hid_t loc, const std::string& name, int32_t value) const {
  H5Handle space = h5_space(H5Screate(H5S_SCALAR));
  H5Handle attr = h5_attribute(H5Acreate2(loc, name.c_str(), H5T_STD_I32LE, space.get(), H5P_DEFAULT, H5P_DEFAULT));
  check(attr.valid() && H5Awrite(attr.get(), H5T_NATIVE_INT, &value) >= 0, fmt::format("attribute '{}'", name));
}

void H5Writer::write_attribute(hid_t loc, const std::string& name, const std::string& value) const {
  H5Handle type = h5_type(H5Tcopy(H5T_C_S1));
  check(type.valid() && H5Tset_size(type.get(), H5T_VARIABLE) >= 0 && H5Tset_cset(type.get(), H5T_CSET_UTF8) >= 0,
        "a string type");
  H5Handle space = h5_space(H5Screate(H5S_SCALAR));
  H5Handle attr = h5_attribute(H5Acreate2(loc, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  const char* text = value.c_str();
  check(attr.valid() && H5Awrite(attr.get(), type.get(), &text) >= 0, fmt::format("attribute '{}'", name));
}

std::vector<char> build_file_image(const std::string& context, const std::function<void(hid_t root)>& fill) {
  H5Handle access = h5_plist(H5Pcreate(H5P_FILE_ACCESS));
  // The earliest file format on purpose: HDF5 1.10's H5Fget_file_image copies a version-2
  // superblock without updating its checksum, so the newer format cannot be built in memory.
  REVGAN_CHECK(access.valid() && H5Pset_fapl_core(access.get(), std::size_t{1} << 22, 0) >= 0,
               "{}: cannot set up an in-memory HDF5 file", context);
  H5Handle file = h5_file(H5Fcreate("in-memory.h5", H5F_ACC_TRUNC, H5P_DEFAULT, access.get()));
  REVGAN_CHECK(file.valid(), "{}: cannot create the in-memory file", context);
  fill(file.get());
  REVGAN_CHECK(H5Fflush(file.get(), H5F_SCOPE_GLOBAL) >= 0, "{}: flushing the in-memory file failed", context);
  const ssize_t size = H5Fget_file_image(file.get(), nullptr, 0);
  REVGAN_CHECK(size > 0, "{}: cannot size the in-memory file", context);
  std::vector<char> image(static_cast<std::size_t>(size));
  REVGAN_CHECK(H5Fget_file_image(file.get(), image.data(), image.size()) == size,
               "{}: cannot copy out the in-memory file", context);
  REVGAN_CHECK(file.close(), "{}: closing the in-memory file failed", context);
  return image;
}

// ---------------------------------------------------------------------------------------------
// Reading

H5Reader::H5Reader(std::string context) : context_(std::move(context)) {}

H5Handle H5Reader::open_group(hid_t loc, const std::string& name) const {
  H5Handle g = h5_group(H5Gopen2(loc, name.c_str(), H5P_DEFAULT));
  REVGAN_CHECK(g.valid(), "{}: '{}' is not a group", context_, name);
  return g;
}

H5Handle H5Reader::open_dataset(hid_t loc, const std::string& name, const std::string& what) const {
  H5Handle ds = h5_dataset(H5Dopen2(loc, name.c_str(), H5P_DEFAULT));
  REVGAN_CHECK(ds.valid(), "{}: cannot open the dataset of {}", context_, what);
  return ds;
}

std::vector<std::string> H5Reader::datasets_below(hid_t group, const std::string& group_name) const {
  std::vector<std::string> names;
  REVGAN_CHECK(visit_links(group, collect_dataset, &names) >= 0, "{}: cannot list '{}'", context_, group_name);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<hsize_t> H5Reader::dims(hid_t dataset, const std::string& what) const {
  H5Handle space = h5_space(H5Dget_space(dataset));
  const int rank = space.valid() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  REVGAN_CHECK(rank >= 0, "{}: cannot read the shape of {}", context_, what);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

std::string H5Reader::damage_hint(hid_t dataset) {
  H5Handle layout = h5_plist(H5Dget_create_plist(dataset));
  unsigned flags = 0;
  std::size_t n = 0;
  const bool checksummed = layout.valid() && H5Pget_filter_by_id2(layout.get(), H5Z_FILTER_FLETCHER32, &flags, &n,
                                                                  nullptr, 0, nullptr, nullptr) >= 0;
  return checksummed ? "its checksum does not match (the file is damaged) or the file is truncated"
                     : "the file is truncated or damaged";
}

Tensor H5Reader::read_tensor(hid_t loc, const std::string& name, const std::string& what, const Shape& shape,
                             DType dtype) const {
  H5Handle ds = open_dataset(loc, name, what);
  H5Handle type = h5_type(H5Dget_type(ds.get()));
  const H5T_class_t cls = H5Tget_class(type.get());
  const std::size_t size = H5Tget_size(type.get());
  const std::string found_type = cls == H5T_FLOAT && (size == 4 || size == 8)
                                     ? std::string(size == 4 ? "float32" : "float64")
                                     : fmt::format("a non-float type (class {}, {} bytes)", static_cast<int>(cls), size);
  REVGAN_CHECK(found_type == dtype_name(dtype), "{}: {} is {} in the file, expected {}", context_, what, found_type,
               dtype_name(dtype));
  const std::vector<hsize_t> found = dims(ds.get(), what);
  const std::vector<hsize_t> expected(shape.begin(), shape.end());
  REVGAN_CHECK(found == expected, "{}: {} has shape {} in the file, expected {}", context_, what, dims_text(found),
               shape.str());
  Tensor t = Tensor::empty(shape, dtype);
  if (t.numel() > 0)
    REVGAN_CHECK(H5Dread(ds.get(), memory_type_of(dtype), H5S_ALL, H5S_ALL, H5P_DEFAULT, t.raw_data()) >= 0,
                 "{}: cannot read the data of {}: {}", context_, what, damage_hint(ds.get()));
  return t;
}

Tensor H5Reader::read_any_tensor(hid_t loc, const std::string& name, const std::string& what) const {
  DType dtype = DType::float32;
  std::vector<hsize_t> found;
  {
    H5Handle ds = open_dataset(loc, name, what);
    H5Handle type = h5_type(H5Dget_type(ds.get()));
    const std::size_t size = H5Tget_size(type.get());
    REVGAN_CHECK(H5Tget_class(type.get()) == H5T_FLOAT && (size == 4 || size == 8),
                 "{}: {} is not float32 or float64", context_, what);
    dtype = size == 4 ? DType::float32 : DType::float64;
    found = dims(ds.get(), what);
  }
  return read_tensor(loc, name, what, Shape(found.begin(), found.end()), dtype);
}

int64_t H5Reader::read_int64(hid_t loc, const std::string& name, const std::string& what) const {
  H5Handle ds = h5_dataset(H5Dopen2(loc, name.c_str(), H5P_DEFAULT));
  REVGAN_CHECK(ds.valid(), "{}: cannot open {}", context_, what);
  H5Handle type = h5_type(H5Dget_type(ds.get()));
  const std::vector<hsize_t> found = dims(ds.get(), what);
  REVGAN_CHECK(H5Tget_class(type.get()) == H5T_INTEGER && (found.empty() || found == std::vector<hsize_t>{1}),
               "{}: {} must be a single integer", context_, what);
  int64_t value = 0;
  REVGAN_CHECK(H5Dread(ds.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value) >= 0,
               "{}: cannot read {}: {}", context_, what, damage_hint(ds.get()));
  return value;
}

std::vector<std::string> H5Reader::attribute_names(hid_t loc) const {
  std::vector<std::string> names;
  hsize_t index = 0;
  REVGAN_CHECK(H5Aiterate2(loc, H5_INDEX_NAME, H5_ITER_INC, &index, collect_attribute, &names) >= 0,
               "{}: cannot list attributes", context_);
  return names;
}

H5Handle H5Reader::open_attribute(hid_t loc, const std::string& name) const {
  REVGAN_CHECK(H5Aexists(loc, name.c_str()) > 0, "{}: attribute '{}' is missing", context_, name);
  H5Handle attr = h5_attribute(H5Aopen(loc, name.c_str(), H5P_DEFAULT));
  REVGAN_CHECK(attr.valid(), "{}: cannot open attribute '{}'", context_, name);
  return attr;
}

int64_t H5Reader::read_int_attribute(hid_t loc, const std::string& name) const {
  H5Handle attr = open_attribute(loc, name);
  H5Handle type = h5_type(H5Aget_type(attr.get()));
  REVGAN_CHECK(H5Tget_class(type.get()) == H5T_INTEGER && attribute_points(attr.get()) == 1,
               "{}: attribute '{}' must be a single integer", context_, name);
  int64_t value = 0;
  REVGAN_CHECK(H5Aread(attr.get(), H5T_NATIVE_INT64, &value) >= 0, "{}: cannot read attribute '{}'", context_, name);
  return value;
}

std::string H5Reader::read_string_attribute(hid_t loc, const std::string& name) const {
  H5Handle attr = open_attribute(loc, name);
  H5Handle type = h5_type(H5Aget_type(attr.get()));
  REVGAN_CHECK(H5Tget_class(type.get()) == H5T_STRING && attribute_points(attr.get()) == 1,
               "{}: attribute '{}' must be a single string", context_, name);
  if (H5Tis_variable_str(type.get()) > 0) {
    H5Handle memory = h5_type(H5Tcopy(H5T_C_S1));
    H5Tset_size(memory.get(), H5T_VARIABLE);
    H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
    char* text = nullptr;
    REVGAN_CHECK(H5Aread(attr.get(), memory.get(), &text) >= 0, "{}: cannot read attribute '{}'", context_, name);
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
  }
  std::string value(H5Tget_size(type.get()), '\0');
  REVGAN_CHECK(H5Aread(attr.get(), type.get(), value.data()) >= 0, "{}: cannot read attribute '{}'", context_, name);
  value.resize(std::min(value.size(), value.find('\0')));
  return value;
}

std::optional<std::vector<double>> H5Reader::read_doubles_attribute(hid_t loc, const std::string& name,
                                                                    std::size_t count) const {
  if (H5Aexists(loc, name.c_str()) <= 0) return std::nullopt;
  H5Handle attr = open_attribute(loc, name);
  const hssize_t n = attribute_points(attr.get());
  REVGAN_CHECK(n == static_cast<hssize_t>(count), "{}: attribute '{}' holds {} values, expected {}", context_, name, n,
               count);
  std::vector<double> values(count);
  REVGAN_CHECK(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, values.data()) >= 0, "{}: cannot read attribute '{}'", context_,
               name);
  return values;
}

}  // namespace revgan::io
