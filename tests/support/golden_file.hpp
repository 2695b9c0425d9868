// Reader for tests/golden/ops.h5, written by tests/golden/generate_golden.py (PyTorch).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::test {

struct GoldenCase {
  std::string name;
  std::string op;
  std::map<std::string, std::vector<int64_t>> int_attrs;
  std::map<std::string, double> float_attrs;
  std::vector<Tensor> inputs;        // float32 as stored
  std::vector<Tensor> outputs;       // float64 reference
  std::vector<Tensor> grad_outputs;  // float32
  std::vector<Tensor> grad_inputs;   // float64; undefined where the input is not differentiable

  int64_t int_attr(const std::string& key) const;
  const std::vector<int64_t>& ints(const std::string& key) const;
  double float_attr(const std::string& key) const;
};

std::vector<GoldenCase> load_golden_cases(const std::string& path);
std::string golden_path();  // tests/golden/ops.h5 in the source tree

}  // namespace revgan::test
