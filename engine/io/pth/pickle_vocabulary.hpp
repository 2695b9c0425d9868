// The vocabulary of the strict unpickler: the names of all pickle opcodes (for messages about
// the refused ones) and the only globals a state-dict pickle may name.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace revgan::io::pth {

// "REDUCE", "INST", ...; "unknown" for bytes that are no opcode of protocols 0 to 5.
const char* opcode_name(uint8_t op);

enum class Global : int64_t {
  ordered_dict,       // collections.OrderedDict
  rebuild_tensor_v2,  // torch._utils._rebuild_tensor_v2
  rebuild_tensor,     // torch._utils._rebuild_tensor (PyTorch 0.3)
  float_storage,      // torch.FloatStorage
  double_storage,     // torch.DoubleStorage
  long_storage        // torch.LongStorage
};
// The allowed global of that name, if it is one.
std::optional<Global> allowed_global(std::string_view module, std::string_view name);

}  // namespace revgan::io::pth
