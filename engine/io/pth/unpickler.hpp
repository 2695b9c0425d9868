// A strict unpickler for exactly what torch.save(state_dict) writes (pickle protocols 2 to 5):
// dicts and OrderedDicts, tuples, lists, ints, floats, strings, bools, None, the tensor rebuild
// records torch._utils._rebuild_tensor(_v2) over persistent-id storages (float32, float64,
// int64) and an OrderedDict's `_metadata` set through BUILD (accepted, ignored). Any other
// opcode or global is refused with an error naming the file, the offset and the opcode or
// global; nothing is ever called or imported, globals are only compared against an allow-list.
// Hostile input is bounded: lengths are checked against the bytes present before anything is
// allocated, nesting depth, stack, memo and value counts are capped, and containers cannot be
// changed once inside another one (so no reference cycles can be built).
#pragma once

#include <cstddef>
#include <functional>

#include "engine/io/pth/byte_cursor.hpp"
#include "engine/io/pth/pickle_value.hpp"

namespace revgan::io::pth {

struct UnpickleLimits {
  int max_depth = 32;                   // nesting of containers (a state dict needs 4)
  std::size_t max_stack = 1 << 16;      // values on the stack (Python's pickler batches by 1000)
  std::size_t max_memo = 1 << 20;       // memo entries
  std::size_t max_values = 1 << 21;     // values created in one pickle
  std::size_t max_global_length = 256;  // module or name of a global
};

// Resolves a persistent id (the tuple torch writes for a storage) into a storage value.
using PersistentLoad = std::function<ValuePtr(const Value& pid)>;

// Reads one pickle from `cursor`, which ends up just past its STOP opcode. The pickle must start
// with PROTO 2..5 and leave exactly one value.
ValuePtr unpickle(ByteCursor& cursor, const PersistentLoad& persistent_load, const UnpickleLimits& limits = {});

}  // namespace revgan::io::pth
