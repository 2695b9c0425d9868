// Shared by the interop tests: fixture paths (tests/interop/data, made by
// generate_pth_fixtures.py), the PyTorch goldens of goldens.h5, raw file bytes, and running
// Debian's python3 with torch for the optional strict-load checks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::test {

std::filesystem::path interop_data(const std::string& name);

struct PthGolden {
  Tensor input;   // float32, as fed to PyTorch
  Tensor output;  // float64: PyTorch's network in float64 on the float32 weights
};
PthGolden read_pth_golden(const std::string& case_name);

// Any dataset of goldens.h5 ("<case>/<name>"), converted to `dtype`.
Tensor read_golden_dataset(const std::string& name, DType dtype);
std::vector<uint8_t> file_bytes(const std::filesystem::path& path);
void write_bytes(const std::filesystem::path& path, const std::vector<uint8_t>& bytes);

// /usr/bin/python3 when it can import torch, else empty.
std::string python_with_torch();

}  // namespace revgan::test
