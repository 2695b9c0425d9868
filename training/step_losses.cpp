// StepLosses lookups.
#include "training/step_losses.hpp"

#include "engine/core/check.hpp"

namespace revgan::training {

void StepLosses::set(const std::string& name, double value) {
  for (auto& [n, v] : values)
    if (n == name) {
      v = value;
      return;
    }
  values.emplace_back(name, value);
}

bool StepLosses::has(const std::string& name) const {
  for (const auto& [n, _] : values)
    if (n == name) return true;
  return false;
}

double StepLosses::get(const std::string& name) const {
  for (const auto& [n, v] : values)
    if (n == name) return v;
  REVGAN_FAIL("no loss named '{}' in this step", name);
}

std::vector<std::string> StepLosses::names() const {
  std::vector<std::string> out;
  for (const auto& [n, _] : values) out.push_back(n);
  return out;
}

}  // namespace revgan::training
