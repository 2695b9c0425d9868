// libFuzzer harness for the .pth reader: each input goes to io::pth::read_pth_bytes (zip or
// legacy format, by its first bytes) and, since zip entries are CRC-checked (a mutated pickle
// inside an archive rarely gets past the check), also straight to the unpickler with a
// persistent-id resolver that accepts any storage tuple, so mutations reach the pickle opcodes.
#include <cstddef>
#include <cstdint>

#include "engine/core/check.hpp"
#include "engine/io/pth/pth_reader.hpp"
#include "engine/io/pth/storage_table.hpp"

namespace pth = revgan::io::pth;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  try {
    const pth::PthContents c = pth::read_pth_bytes(data, size, "fuzz.pth");
    for (const auto& [name, t] : c.state.entries)
      if (t.bytes.size() != static_cast<std::size_t>(t.numel()) * pth::element_size(t.type)) __builtin_trap();
  } catch (const revgan::Error&) {
    // Expected for malformed input.
  }
  try {
    pth::StorageTable storages("fuzz pickle", 5);
    pth::ByteCursor cursor(data, size, "fuzz pickle");
    pth::unpickle(cursor, storages.loader());
  } catch (const revgan::Error&) {
  }
  return 0;
}
