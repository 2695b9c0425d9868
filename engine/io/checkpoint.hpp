// Checkpoints as plain HDF5 files (readable with h5py / h5dump, no engine code needed):
//   /parameters/<module path as nested groups>       one dataset per parameter (float32/64)
//   /optimizer/{exp_avg,exp_avg_sq,step}/<path>      Adam state, mirrored per parameter
//   root attributes format_version, step, epoch, config, plus free string attributes.
// Saving is atomic: a crash at any point leaves the previous file at `path` intact.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "engine/nn/module.hpp"
#include "engine/optim/adam.hpp"

namespace revgan::io {

inline constexpr int checkpoint_format_version = 1;

struct CheckpointMeta {
  int64_t step = 0;
  int64_t epoch = 0;
  std::string config;                        // e.g. the run's JSON configuration
  std::map<std::string, std::string> extra;  // stored as root string attributes
  int format_version = checkpoint_format_version;  // as read by load; ignored by save
};

// Writes "<path>.tmp-<pid>", fsyncs it, renames it over `path` and fsyncs the directory.
// On any error the temporary file is removed and the previous `path` is untouched.
void save_checkpoint(const std::string& path, const nn::Module& module, const optim::Adam* optimizer,
                     const CheckpointMeta& meta);

// Validates the whole file against the module (every parameter present, shapes and dtypes
// equal, nothing extra) and the optimizer (when given) before changing anything, so a failed
// load leaves module and optimizer as they were. Optimizer hyper-parameters are not restored:
// the learning rate is the caller's (schedules), the betas and eps are the optimizer's own.
CheckpointMeta load_checkpoint(const std::string& path, nn::Module& module, optim::Adam* optimizer);

namespace testing {
// Called after the temporary file is complete and synced, before the rename; a hook that
// throws simulates a crash-free failure at the last moment. Pass {} to remove.
void set_before_rename_hook(std::function<void(const std::string& temp_path)> hook);
}  // namespace testing

}  // namespace revgan::io
