// Checkpoints as plain HDF5 files (readable with h5py / h5dump, no engine code needed):
//   /parameters/<module path as nested groups>       one dataset per parameter (float32/64)
//   /optimizer/{exp_avg,exp_avg_sq,step}/<path>      Adam state, mirrored per parameter
//   root attributes format_version, step, epoch, config, plus free string attributes.
// Multi-part checkpoints (whole training states) put named modules under /parameters/<name>/,
// named optimizers under /optimizer/<name>/ and free tensors under /tensors/<name>.
// Saving is atomic: a crash at any point leaves the previous file at `path` intact. Datasets
// are checksummed (Fletcher-32).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

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

// Writes a locked temporary file beside `path` (io::AtomicFile), fsyncs it, renames it over
// `path` and fsyncs the directory. On any error the temporary file is removed and the previous
// `path` is untouched. Every dataset with data carries HDF5's Fletcher-32 checksum, so a
// damaged weight is refused on load with the dataset named (attributes such as the config are
// not covered); files written before checksums (plain contiguous datasets) still load.
void save_checkpoint(const std::string& path, const nn::Module& module, const optim::Adam* optimizer,
                     const CheckpointMeta& meta);

// Validates the whole file against the module (every parameter present, shapes and dtypes
// equal, nothing extra) and the optimizer (when given) before changing anything, so a failed
// load leaves module and optimizer as they were. Optimizer hyper-parameters are not restored:
// the learning rate is the caller's (schedules), the betas and eps are the optimizer's own.
CheckpointMeta load_checkpoint(const std::string& path, nn::Module& module, optim::Adam* optimizer);

// Several modules, optimizers and free tensors in one file. Names are dotted paths (no '/'),
// non-empty and unique within their kind; they become group levels like parameter paths.
struct CheckpointParts {
  std::vector<std::pair<std::string, const nn::Module*>> modules;
  std::vector<std::pair<std::string, const optim::Adam*>> optimizers;
  std::vector<std::pair<std::string, Tensor>> tensors;  // float32 or float64, any shape
};
void save_checkpoint(const std::string& path, const CheckpointParts& parts, const CheckpointMeta& meta);

// What to restore from a multi-part file: every listed module and optimizer must be present and
// match exactly (as load_checkpoint above); parts of the file not listed are ignored, so e.g.
// inference can load only the generators of a training checkpoint. Nothing changes unless the
// whole request is consistent.
struct CheckpointTargets {
  std::vector<std::pair<std::string, nn::Module*>> modules;
  std::vector<std::pair<std::string, optim::Adam*>> optimizers;
  bool read_tensors = false;  // return every dataset under /tensors
};
struct LoadedCheckpoint {
  CheckpointMeta meta;
  std::vector<std::pair<std::string, Tensor>> tensors;  // CPU tensors, sorted by name
};
LoadedCheckpoint load_checkpoint(const std::string& path, const CheckpointTargets& targets);

// Only the root attributes (e.g. to read the configuration before building the networks).
CheckpointMeta read_checkpoint_meta(const std::string& path);

namespace testing {
// Called after the temporary file is complete and synced, before the rename; a hook that
// throws simulates a crash-free failure at the last moment. Pass {} to remove.
void set_before_rename_hook(std::function<void(const std::string& temp_path)> hook);
}  // namespace testing

}  // namespace revgan::io
