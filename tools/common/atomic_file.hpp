// Whole-file replacement that readers never see half-written: write a temporary file in the
// same folder, then rename it over the target (atomic on POSIX file systems).
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace revgan::tools {

void write_text_atomically(const std::filesystem::path& path, const std::string& text);
// `write` produces the file at the temporary path it is given (e.g. an image encoder); on any
// error the temporary file is removed and `path` is left as it was.
void write_atomically(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path& temp)>& write);

}  // namespace revgan::tools
