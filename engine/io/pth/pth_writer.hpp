// Writes a state dict in torch.save's zip format (what PyTorch >= 1.6 writes by default), so
// that torch.load reads it and nn.Module.load_state_dict(strict=True) accepts it: the archive
// folder "archive/" with data.pkl (a protocol-2 pickle of an OrderedDict of
// torch._utils._rebuild_tensor_v2 records), one storage per tensor under data/<index> and the
// "version" record. No `_metadata` is written (load_state_dict does not need it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/io/pth/state_dict.hpp"

namespace revgan::io::pth {

// The file's bytes.
std::vector<uint8_t> pth_bytes(const StateDict& state);
// Through io::AtomicFile: a crash never leaves a partial file at `path`.
void write_pth(const std::string& path, const StateDict& state);

}  // namespace revgan::io::pth
