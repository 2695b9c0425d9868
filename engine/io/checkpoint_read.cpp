// Checkpoint reading: everything is read and checked against the targets before any module or
// optimizer changes, so a failed load leaves them as they were.
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "engine/io/checkpoint.hpp"
#include "engine/io/checkpoint_layout.hpp"
#include "engine/io/hdf5_file.hpp"

namespace revgan::io {

using namespace checkpoint_layout;

namespace {

bool has_link(hid_t loc, const std::string& name) { return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0; }

std::string join_names(const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < 8; ++i) s += fmt::format("{}'{}'", i ? ", " : "", names[i]);
  if (names.size() > 8) s += fmt::format(" and {} more", names.size() - 8);
  return s;
}

CheckpointMeta read_meta(const H5Reader& r, hid_t root) {
  CheckpointMeta meta;
  REVGAN_CHECK(H5Aexists(root, "format_version") > 0,
               "{}: not a revgan checkpoint (no 'format_version' attribute)", r.context());
  const int64_t version = r.read_int_attribute(root, "format_version");
  REVGAN_CHECK(version >= 1 && version <= checkpoint_format_version,
               "{}: format_version {} is not supported (this build reads 1 to {})", r.context(),
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
std::vector<std::pair<std::string, Tensor>> read_mirrored(const H5Reader& r, hid_t group, const std::string& group_name,
                                                          const nn::NamedTensors& expected, const std::string& kind,
                                                          const std::string& owner) {
  std::set<std::string> expected_names, in_file;
  for (const auto& [name, _] : expected) expected_names.insert(name);
  std::vector<std::string> unexpected;
  for (const std::string& h5 : r.datasets_below(group, group_name)) {
    in_file.insert(to_dotted(h5));
    if (!expected_names.count(to_dotted(h5))) unexpected.push_back(to_dotted(h5));
  }
  REVGAN_CHECK(unexpected.empty(), "{}: {} {} in the file but not in the {}: {}", r.context(),
               unexpected.size(), kind, owner, join_names(unexpected));

  std::vector<std::pair<std::string, Tensor>> out;
  for (const auto& [name, ref] : expected) {
    const std::string what = fmt::format("{} '{}'", kind, name);
    REVGAN_CHECK(in_file.count(name), "{}: missing {} (expected {} {}) in {}", r.context(), what,
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
LoadedOptimizer read_optimizer(const H5Reader& r, hid_t opt, const std::string& group_name, const optim::Adam& optimizer) {
  const std::string& context = r.context();
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
  REVGAN_CHECK(unexpected.empty(), "{}: unexpected optimizer step entries: {}", context,
               join_names(unexpected));
  for (std::size_t i = 0; i < with_state.size(); ++i) {
    const std::string& name = with_state[i].first;
    const std::string what = fmt::format("optimizer step of parameter '{}'", name);
    REVGAN_CHECK(step_names.count(name), "{}: missing {}", context, what);
    const int64_t step = r.read_int64(steps.get(), to_h5_path(name), what);
    REVGAN_CHECK(step >= 1, "{}: {} is {}, expected >= 1", context, what, step);
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

CheckpointMeta read_checkpoint_meta(const std::string& path) {
  H5ErrorSilencer silence;
  H5Handle file = open_for_reading(path);
  const H5Reader r(fmt::format("load_checkpoint: '{}'", path));
  return read_meta(r, file.get());
}

LoadedCheckpoint load_checkpoint(const std::string& path, const CheckpointTargets& targets) {
  check_part_names(path, targets.modules, "module");
  check_part_names(path, targets.optimizers, "optimizer");
  H5ErrorSilencer silence;
  H5Handle file = open_for_reading(path);
  const H5Reader r(fmt::format("load_checkpoint: '{}'", path));
  const hid_t root = file.get();

  LoadedCheckpoint out;
  out.meta = read_meta(r, root);

  // Everything is read and checked into host tensors first; modules and optimizers change
  // only once the whole request has proven consistent.
  std::vector<std::vector<std::pair<std::string, Tensor>>> values;
  std::vector<nn::NamedTensors> expected;
  if (!targets.modules.empty()) {
    REVGAN_CHECK(has_link(root, k_parameters), "{}: no '/{}' group", path, k_parameters);
    H5Handle params = r.open_group(root, k_parameters);
    for (const auto& [part, module] : targets.modules) {
      const std::string group_name = fmt::format("/{}", part_group(k_parameters, part));
      expected.push_back(module->named_parameters());
      if (part.empty()) {
        values.push_back(read_mirrored(r, params.get(), group_name, expected.back(), "parameter", "module"));
        continue;
      }
      REVGAN_CHECK(has_link(params.get(), to_h5_path(part)), "{}: no module '{}' (group '{}')",
                   path, part, group_name);
      H5Handle g = r.open_group(params.get(), to_h5_path(part));
      values.push_back(
          read_mirrored(r, g.get(), group_name, expected.back(), "parameter", fmt::format("module '{}'", part)));
    }
  }

  // Buffers mirror the parameters' layout below /buffers, for the modules that have any.
  std::vector<std::vector<std::pair<std::string, Tensor>>> buffer_values;
  std::vector<nn::NamedTensors> expected_buffers;
  for (const auto& [part, module] : targets.modules) {
    expected_buffers.push_back(module->named_buffers());
    buffer_values.emplace_back();
    if (expected_buffers.back().empty()) continue;
    const std::string group_name = fmt::format("/{}", part_group(k_buffers, part));
    REVGAN_CHECK(has_link(root, k_buffers), "{}: no '/{}' group (the {} has buffers: {}, ...)", path, k_buffers,
                 part.empty() ? std::string("module") : fmt::format("module '{}'", part),
                 expected_buffers.back().front().first);
    H5Handle buffers = r.open_group(root, k_buffers);
    if (part.empty()) {
      buffer_values.back() = read_mirrored(r, buffers.get(), group_name, expected_buffers.back(), "buffer", "module");
      continue;
    }
    REVGAN_CHECK(has_link(buffers.get(), to_h5_path(part)), "{}: no buffers of module '{}' (group '{}')", path, part,
                 group_name);
    H5Handle g = r.open_group(buffers.get(), to_h5_path(part));
    buffer_values.back() =
        read_mirrored(r, g.get(), group_name, expected_buffers.back(), "buffer", fmt::format("module '{}'", part));
  }

  std::vector<LoadedOptimizer> optimizers;
  if (!targets.optimizers.empty()) {
    REVGAN_CHECK(has_link(root, k_optimizer), "{}: no '/{}' group (saved without optimizer state)",
                 path, k_optimizer);
    H5Handle opt = r.open_group(root, k_optimizer);
    for (const auto& [part, optimizer] : targets.optimizers) {
      const std::string group_name = fmt::format("/{}", part_group(k_optimizer, part));
      if (part.empty()) {
        optimizers.push_back(read_optimizer(r, opt.get(), group_name, *optimizer));
        continue;
      }
      REVGAN_CHECK(has_link(opt.get(), to_h5_path(part)), "{}: no optimizer '{}' (group '{}')",
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
  for (std::size_t m = 0; m < expected_buffers.size(); ++m)
    for (std::size_t i = 0; i < expected_buffers[m].size(); ++i) {
      Tensor buffer = expected_buffers[m][i].second;
      buffer.copy_from(buffer_values[m][i].second);
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
