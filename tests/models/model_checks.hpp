// Small helpers shared by the model tests.
#pragma once

#include <string>
#include <vector>

#include "engine/nn/module.hpp"

namespace revgan::test {

// Paths of every parameter whose values differ between two modules of the same structure.
inline std::vector<std::string> differing_parameters(const nn::Module& a, const nn::Module& b) {
  std::vector<std::string> out;
  auto pa = a.named_parameters(), pb = b.named_parameters();
  for (std::size_t i = 0; i < pa.size() && i < pb.size(); ++i)
    if (pa[i].first != pb[i].first || pa[i].second.to_vector() != pb[i].second.to_vector()) out.push_back(pa[i].first);
  if (pa.size() != pb.size()) out.push_back("<different parameter counts>");
  return out;
}

}  // namespace revgan::test
