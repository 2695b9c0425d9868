// AtomicFile (create + flock, write loop, fsync, rename, folder fsync) and the clean-up of
// temporary files left by writers that were killed.
#include "engine/io/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "engine/core/check.hpp"

namespace revgan::io {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view k_prefix = ".tmp-";

// The writer's pid from a temporary file's name, or 0 when the name is not one of ours.
long writer_pid(const std::string& name) {
  if (!name.starts_with(k_prefix)) return 0;
  const char* first = name.data() + k_prefix.size();
  const char* last = name.data() + name.size();
  long pid = 0;
  const auto [end, ec] = std::from_chars(first, last, pid);
  if (ec != std::errc() || end == first || end == last || *end != '-' || pid <= 0) return 0;
  return pid;
}

bool process_running(long pid) {
  // EPERM: it exists but belongs to someone else.
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

void sync_folder(const fs::path& folder) {
  const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

fs::path temporary_path_for(const fs::path& target) {
  return target.parent_path() /
         fmt::format("{}{}-{}", k_prefix, static_cast<long>(::getpid()), target.filename().string());
}

AtomicFile::AtomicFile(fs::path target, std::string context, bool created_by_caller)
    : target_(std::move(target)), temp_(temporary_path_for(target_)), context_(std::move(context)) {
  if (created_by_caller) {
    ::unlink(temp_.c_str());  // a leftover of an earlier process with this pid
    return;
  }
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REVGAN_CHECK(fd_ >= 0, "{}: cannot create the temporary file '{}': {}", context_, temp_.string(),
               std::strerror(errno));
  // Held until the descriptor closes, which the kernel does for a killed process too.
  if (::flock(fd_, LOCK_EX) != 0) {
    const int err = errno;
    ::close(fd_);
    ::unlink(temp_.c_str());
    REVGAN_FAIL("{}: cannot lock the temporary file '{}': {}", context_, temp_.string(), std::strerror(err));
  }
}

AtomicFile::~AtomicFile() {
  if (!committed_) ::unlink(temp_.c_str());
  if (fd_ >= 0) ::close(fd_);
}

void AtomicFile::write(const void* data, std::size_t bytes) {
  REVGAN_CHECK(fd_ >= 0, "{}: '{}' is written by the caller, not through AtomicFile::write", context_, temp_.string());
  const char* p = static_cast<const char*>(data);
  std::size_t left = bytes;
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    const int err = n < 0 ? errno : EIO;
    REVGAN_CHECK(n > 0, "{}: writing '{}' failed after {} of {} bytes: {}", context_, temp_.string(), bytes - left,
                 bytes, std::strerror(err));
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void AtomicFile::commit() {
  REVGAN_CHECK(!committed_, "{}: '{}' is already committed", context_, target_.string());
  if (fd_ < 0) {
    fd_ = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
    REVGAN_CHECK(fd_ >= 0, "{}: the temporary file '{}' was not written: {}", context_, temp_.string(),
                 std::strerror(errno));
  }
  REVGAN_CHECK(::fsync(fd_) == 0, "{}: cannot sync '{}': {}", context_, temp_.string(), std::strerror(errno));
  REVGAN_CHECK(std::rename(temp_.c_str(), target_.c_str()) == 0,
               "{}: cannot rename the temporary file '{}' into place as '{}': {}", context_, temp_.string(),
               target_.string(), std::strerror(errno));
  committed_ = true;
  // The lock goes with the descriptor; the file now has its final name.
  const int closed = ::close(fd_);
  fd_ = -1;
  REVGAN_CHECK(closed == 0, "{}: closing '{}' failed: {}", context_, target_.string(), std::strerror(errno));
  sync_folder(target_.parent_path());
}

void write_atomically(const fs::path& target, const std::function<void(const fs::path& temp)>& write) {
  AtomicFile file(target, fmt::format("writing '{}'", target.string()), true);
  write(file.temp_path());
  file.commit();
}

void write_text_atomically(const fs::path& target, const std::string& text) {
  AtomicFile file(target, fmt::format("writing '{}'", target.string()));
  file.write(text.data(), text.size());
  file.commit();
}

std::vector<fs::path> remove_stale_temporaries(const fs::path& folder) {
  std::vector<fs::path> removed;
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    const long pid = writer_pid(p.filename().string());
    if (pid == 0 || process_running(pid) || !it->is_regular_file(ec)) continue;
    // The pid may be another machine's (a shared folder): the lock decides.
    const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && ::unlink(p.c_str()) == 0) removed.push_back(p);
    ::close(fd);
  }
  return removed;
}

}  // namespace revgan::io
