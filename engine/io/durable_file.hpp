// Writes a byte buffer to a new file and makes it durable (write loop, fsync, checked close),
// failing with the file named and the system's reason (e.g. "No space left on device").
// Checkpoints are built in memory and written through this, so a failing disk never leaves
// a library (HDF5) holding a half-written file.
#pragma once

#include <cstddef>
#include <string>

namespace revgan::io {

// Creates or truncates `path`; `context` prefixes every error message.
void write_file_durably(const std::string& path, const void* data, std::size_t bytes, const std::string& context);

}  // namespace revgan::io
