// Checkpoint writing: the file is built in memory (io::build_file_image), then written through a
// locked temporary file, synced and renamed into place (io::AtomicFile).
#include <string>
#include <vector>

#include "engine/io/atomic_file.hpp"
#include "engine/io/checkpoint.hpp"
#include "engine/io/checkpoint_layout.hpp"
#include "engine/io/hdf5_file.hpp"

namespace revgan::io {

using namespace checkpoint_layout;

namespace {

std::function<void(const std::string&)>& before_rename_hook() {
  static std::function<void(const std::string&)> hook;
  return hook;
}

void write_optimizer(const H5Writer& w, hid_t opt_group, const optim::Adam& optimizer) {
  const hid_t opt = opt_group;
  const optim::AdamOptions& o = optimizer.options();
  w.write_attribute(opt, "type", std::string("adam"));
  w.write_attribute(opt, "step", optimizer.step_count());
  // Informational only (see load_checkpoint).
  w.write_attribute(opt, "lr", o.lr);
  w.write_attribute(opt, "beta1", o.beta1);
  w.write_attribute(opt, "beta2", o.beta2);
  w.write_attribute(opt, "eps", o.eps);
  H5Handle exp_avg = w.create_group(opt, "exp_avg");
  H5Handle exp_avg_sq = w.create_group(opt, "exp_avg_sq");
  H5Handle steps = w.create_group(opt, "step");
  for (const auto& [name, _] : optimizer.named_parameters()) {
    const optim::AdamParamState* s = optimizer.state(name);
    if (s == nullptr) continue;  // never updated: nothing to resume
    const std::string h5 = to_h5_path(name);
    w.write_tensor(exp_avg.get(), h5, s->exp_avg);
    w.write_tensor(exp_avg_sq.get(), h5, s->exp_avg_sq);
    w.write_int64(steps.get(), h5, s->step);
  }
}

void write_contents(const H5Writer& w, hid_t root, const CheckpointParts& parts, const CheckpointMeta& meta) {
  w.write_attribute(root, "format_version", static_cast<int32_t>(checkpoint_format_version));
  w.write_attribute(root, "step", meta.step);
  w.write_attribute(root, "epoch", meta.epoch);
  w.write_attribute(root, "config", meta.config);
  for (const auto& [key, value] : meta.extra) w.write_attribute(root, key, value);
  {
    H5Handle params = w.create_group(root, k_parameters);
    for (const auto& [part, module] : parts.modules) {
      H5Handle g = part.empty() ? H5Handle() : w.create_group(params.get(), to_h5_path(part));
      const hid_t loc = part.empty() ? params.get() : g.get();
      for (const auto& [name, t] : module->named_parameters()) w.write_tensor(loc, to_h5_path(name), t);
    }
  }
  bool any_buffers = false;
  for (const auto& [_, module] : parts.modules) any_buffers = any_buffers || !module->named_buffers().empty();
  if (any_buffers) {
    H5Handle buffers = w.create_group(root, k_buffers);
    for (const auto& [part, module] : parts.modules) {
      const nn::NamedTensors named = module->named_buffers();
      if (named.empty()) continue;
      H5Handle g = part.empty() ? H5Handle() : w.create_group(buffers.get(), to_h5_path(part));
      const hid_t loc = part.empty() ? buffers.get() : g.get();
      for (const auto& [name, t] : named) w.write_tensor(loc, to_h5_path(name), t);
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
  const std::string context = fmt::format("save_checkpoint: '{}'", path);
  const std::vector<char> image =
      build_file_image(context, [&](hid_t root) { write_contents(H5Writer(context), root, parts, meta); });
  AtomicFile file(path, context);
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

}  // namespace revgan::io
