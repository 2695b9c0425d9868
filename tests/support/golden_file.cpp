// HDF5 reading of golden cases: one group per case with attributes and datasets.
#include "tests/support/golden_file.hpp"

#include <hdf5.h>

#include "tests/support/random_tensor.hpp"

namespace revgan::test {

namespace {

struct H5Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  H5Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  ~H5Handle() {
    if (id >= 0) close(id);
  }
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
};

bool has_link(hid_t group, const std::string& name) { return H5Lexists(group, name.c_str(), H5P_DEFAULT) > 0; }

Tensor read_dataset(hid_t group, const std::string& name, DType dtype) {
  H5Handle ds(H5Dopen2(group, name.c_str(), H5P_DEFAULT), H5Dclose);
  REVGAN_CHECK(ds.id >= 0, "golden: cannot open dataset {}", name);
  H5Handle space(H5Dget_space(ds.id), H5Sclose);
  int rank = H5Sget_simple_extent_ndims(space.id);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
  Shape shape(dims.begin(), dims.end());
  Tensor t = Tensor::empty(shape, dtype);
  hid_t mem_type = dtype == DType::float32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
  REVGAN_CHECK(H5Dread(ds.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.raw_data()) >= 0,
               "golden: cannot read dataset {}", name);
  return t;
}

herr_t collect_attr(hid_t loc, const char* name, const H5A_info_t*, void* data) {
  auto* c = static_cast<GoldenCase*>(data);
  H5Handle attr(H5Aopen(loc, name, H5P_DEFAULT), H5Aclose);
  H5Handle type(H5Aget_type(attr.id), H5Tclose);
  H5Handle space(H5Aget_space(attr.id), H5Sclose);
  hssize_t n = H5Sget_simple_extent_npoints(space.id);
  H5T_class_t cls = H5Tget_class(type.id);
  if (cls == H5T_STRING) {
    std::size_t size = H5Tget_size(type.id);
    std::string value(size, '\0');
    H5Aread(attr.id, type.id, value.data());
    value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
    if (std::string(name) == "op") c->op = value;
  } else if (cls == H5T_INTEGER) {
    std::vector<int64_t> values(static_cast<std::size_t>(n));
    H5Aread(attr.id, H5T_NATIVE_INT64, values.data());
    c->int_attrs[name] = values;
  } else if (cls == H5T_FLOAT) {
    double value = 0;
    H5Aread(attr.id, H5T_NATIVE_DOUBLE, &value);
    c->float_attrs[name] = value;
  }
  return 0;
}

herr_t collect_group(hid_t root, const char* name, const H5L_info_t*, void* data) {
  auto* cases = static_cast<std::vector<GoldenCase>*>(data);
  H5Handle group(H5Gopen2(root, name, H5P_DEFAULT), H5Gclose);
  GoldenCase c;
  c.name = name;
  hsize_t idx = 0;
  H5Aiterate2(group.id, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr, &c);
  int64_t n_in = c.int_attr("n_inputs");
  int64_t n_out = c.int_attr("n_outputs");
  for (int64_t i = 0; i < n_in; ++i) {
    c.inputs.push_back(read_dataset(group.id, fmt::format("input{}", i), DType::float32));
    std::string g = fmt::format("grad_input{}", i);
    c.grad_inputs.push_back(has_link(group.id, g) ? read_dataset(group.id, g, DType::float64) : Tensor());
  }
  for (int64_t i = 0; i < n_out; ++i) {
    c.outputs.push_back(read_dataset(group.id, fmt::format("output{}", i), DType::float64));
    c.grad_outputs.push_back(read_dataset(group.id, fmt::format("grad_output{}", i), DType::float32));
  }
  cases->push_back(std::move(c));
  return 0;
}

}  // namespace

int64_t GoldenCase::int_attr(const std::string& key) const { return ints(key).at(0); }

const std::vector<int64_t>& GoldenCase::ints(const std::string& key) const {
  auto it = int_attrs.find(key);
  REVGAN_CHECK(it != int_attrs.end() && !it->second.empty(), "golden case {}: no integer attribute '{}'", name, key);
  return it->second;
}

double GoldenCase::float_attr(const std::string& key) const {
  auto it = float_attrs.find(key);
  REVGAN_CHECK(it != float_attrs.end(), "golden case {}: no float attribute '{}'", name, key);
  return it->second;
}

std::vector<GoldenCase> load_golden_cases(const std::string& path) {
  H5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  REVGAN_CHECK(file.id >= 0, "golden: cannot open {}", path);
  std::vector<GoldenCase> cases;
  hsize_t idx = 0;
  H5Literate(file.id, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_group, &cases);
  return cases;
}

std::string golden_path() { return std::string(REVGAN_TEST_DATA_DIR) + "/golden/ops.h5"; }

}  // namespace revgan::test
