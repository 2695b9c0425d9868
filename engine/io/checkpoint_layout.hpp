// What checkpoint writing and reading share: the file layout's group names, reserved attributes,
// the mapping of dotted module paths to group levels, and the check of part names.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "engine/core/check.hpp"

namespace revgan::io::checkpoint_layout {

inline constexpr const char* k_parameters = "parameters";
inline constexpr const char* k_optimizer = "optimizer";
// Module buffers (batch norm running statistics), mirroring /parameters; absent when no module
// has buffers, so checkpoints of buffer-free networks are unchanged.
inline constexpr const char* k_buffers = "buffers";
inline constexpr const char* k_tensors = "tensors";
inline constexpr std::string_view k_reserved_attributes[] = {"format_version", "step", "epoch", "config"};
inline constexpr const char* k_moment_groups[] = {"exp_avg", "exp_avg_sq"};

// Module paths are dotted; in the file each component becomes a group level.
inline std::string to_h5_path(std::string dotted) {
  std::replace(dotted.begin(), dotted.end(), '.', '/');
  return dotted;
}
inline std::string to_dotted(std::string h5_path) {
  std::replace(h5_path.begin(), h5_path.end(), '/', '.');
  return h5_path;
}

// The group of part `name` below `base` ("parameters", "optimizer"): the base itself for the
// single-part layout (empty name), else a nested group per dotted component.
inline std::string part_group(const char* base, const std::string& name) {
  return name.empty() ? std::string(base) : fmt::format("{}/{}", base, to_h5_path(name));
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

}  // namespace revgan::io::checkpoint_layout
