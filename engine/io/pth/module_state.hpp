// Moving weights between our modules and state dicts of other code (PyTorch networks with
// other module names). A NameMap pairs each of our parameter paths with its key in the other
// state dict and lists the other side's norm layers, whose buffers (running_mean, running_var,
// num_batches_tracked) our instance norm does not use: they are checked and ignored on reading,
// and written at their initial values where the other side's strict loading expects them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "engine/io/pth/state_dict.hpp"
#include "engine/nn/module.hpp"

namespace revgan::io::pth {

struct NormBuffers {
  std::string prefix;  // their module path with the trailing dot ("model.2.")
  int64_t channels = 0;
};

struct NameMap {
  std::vector<std::pair<std::string, std::string>> params;  // (our parameter path, their key)
  std::vector<NormBuffers> norms;
  // (our buffer path, their key): buffers we keep and load, e.g. a BatchNorm's running
  // statistics. A buffer whose path ends in "num_batches_tracked" is their int64 scalar and our
  // float64 [1].
  std::vector<std::pair<std::string, std::string>> buffers;
  bool write_running_stats = false;  // export the norm buffers (their norms track running statistics)

  void add(const std::string& ours, const std::string& theirs) { params.emplace_back(ours, theirs); }
  void add_buffer(const std::string& ours, const std::string& theirs) { buffers.emplace_back(ours, theirs); }
  void append(const NameMap& other);
};

// Copies the mapped tensors of `state` into `module` (float32 or float64 in the file, converted
// to the parameter's dtype). Everything is checked first, so a failed load changes nothing:
// every mapped key is present with the parameter's shape, norm buffers present have their
// shapes, and the file holds no other key. Parameters of `module` outside the map are left as
// they are. `file` names the source in errors; `hint` is appended to shape and key errors (e.g.
// which options the file looks like it needs).
void load_state_dict(nn::Module& module, const StateDict& state, const NameMap& names, const std::string& file,
                     const std::string& hint = {});

// The mapped parameters of `module` under their keys (plus the norm buffers when
// write_running_stats), in natural key order ("model.2" before "model.10").
StateDict export_state_dict(const nn::Module& module, const NameMap& names);

// Float32 / float64 host tensors between the two representations.
Tensor to_tensor(const StoredTensor& stored, const std::string& what);
StoredTensor to_stored(const Tensor& tensor);

}  // namespace revgan::io::pth
