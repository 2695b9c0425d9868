// Sizes in bytes as people type them on command lines and in config files: a number (fractions
// allowed) with an optional binary unit K, M, G or T, also written KiB/KB, MiB/MB, ... in any
// case ("8G", "1.5GiB", "512m", "1000000", "100B"). Used by --max_memory (revgan_infer, bench)
// and --memory_budget (revgan_train), so the two read sizes alike.
#pragma once

#include <cstdint>
#include <string>

namespace revgan {

// Throws revgan::Error naming `option` when `text` is not a size, has an unknown unit, or is
// below `minimum` bytes or above 2^63.
int64_t parse_byte_size(const std::string& option, const std::string& text, int64_t minimum = 1);

}  // namespace revgan
