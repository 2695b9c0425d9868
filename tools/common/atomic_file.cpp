// Temporary-file-and-rename writes; the temporary name keeps the extension so that encoders
// choosing a format by extension still work.
#include "tools/common/atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "engine/core/check.hpp"

namespace revgan::tools {

void write_atomically(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path& temp)>& write) {
  const std::filesystem::path temp =
      path.parent_path() / fmt::format(".{}.tmp-{}{}", path.stem().string(), static_cast<long>(::getpid()),
                                       path.extension().string());
  try {
    write(temp);
    std::error_code ec;
    std::filesystem::rename(temp, path, ec);
    REVGAN_CHECK(!ec, "cannot move {} into place as {}: {}", temp.string(), path.string(), ec.message());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw;
  }
}

void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
  write_atomically(path, [&](const std::filesystem::path& temp) {
    std::unique_ptr<std::FILE, decltype(&std::fclose)> f(std::fopen(temp.c_str(), "wb"), &std::fclose);
    REVGAN_CHECK(f != nullptr, "cannot create {}: {}", temp.string(), std::strerror(errno));
    const bool ok = std::fwrite(text.data(), 1, text.size(), f.get()) == text.size() && std::fflush(f.get()) == 0;
    REVGAN_CHECK(ok, "cannot write {}: {}", temp.string(), std::strerror(errno));
    REVGAN_CHECK(std::fclose(f.release()) == 0, "cannot close {}: {}", temp.string(), std::strerror(errno));
  });
}

}  // namespace revgan::tools
