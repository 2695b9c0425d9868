// Interop test helpers: goldens through the HDF5 C API, file bytes, the torch probe.
#include "tests/interop/interop_test_util.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "engine/io/hdf5_handle.hpp"

namespace revgan::test {

namespace {

Tensor read_dataset(hid_t file, const std::string& name, DType dtype) {
  io::H5Handle ds = io::h5_dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT));
  REVGAN_CHECK(ds.valid(), "goldens.h5: no dataset '{}'", name);
  io::H5Handle space = io::h5_space(H5Dget_space(ds.get()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  Tensor t = Tensor::empty(Shape(dims.begin(), dims.end()), dtype);
  REVGAN_CHECK(H5Dread(ds.get(), dtype == DType::float32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                       H5P_DEFAULT, t.raw_data()) >= 0,
               "goldens.h5: cannot read '{}'", name);
  return t;
}

}  // namespace

std::filesystem::path interop_data(const std::string& name) {
  return std::filesystem::path(REVGAN_TEST_DATA_DIR) / "interop" / "data" / name;
}

PthGolden read_pth_golden(const std::string& case_name) {
  const std::string path = interop_data("goldens.h5").string();
  io::H5Handle file = io::h5_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  REVGAN_CHECK(file.valid(), "cannot open '{}'", path);
  return {read_dataset(file.get(), case_name + "/input", DType::float32),
          read_dataset(file.get(), case_name + "/output", DType::float64)};
}

Tensor read_golden_dataset(const std::string& name, DType dtype) {
  const std::string path = interop_data("goldens.h5").string();
  io::H5Handle file = io::h5_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  REVGAN_CHECK(file.valid(), "cannot open '{}'", path);
  return read_dataset(file.get(), name, dtype);
}

std::vector<uint8_t> file_bytes(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  REVGAN_CHECK(f.good(), "cannot open '{}'", path.string());
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  REVGAN_CHECK(f.good(), "cannot write '{}'", path.string());
}

std::string python_with_torch() {
  const std::string python = "/usr/bin/python3";
  if (!std::filesystem::exists(python)) return {};
  const std::string probe = python + " -c 'import torch' > /dev/null 2>&1";
  return std::system(probe.c_str()) == 0 ? python : std::string();
}

}  // namespace revgan::test
