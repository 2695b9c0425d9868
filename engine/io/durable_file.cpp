// write_file_durably: POSIX write loop, fsync and close, each checked.
#include "engine/io/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/core/check.hpp"

namespace revgan::io {

void write_file_durably(const std::string& path, const void* data, std::size_t bytes, const std::string& context) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REVGAN_CHECK(fd >= 0, "{}: cannot create '{}': {}", context, path, std::strerror(errno));
  const char* p = static_cast<const char*>(data);
  std::size_t left = bytes;
  int err = 0;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  REVGAN_CHECK(err == 0, "{}: writing '{}' failed after {} of {} bytes: {}", context, path, bytes - left, bytes,
               std::strerror(err));
}

}  // namespace revgan::io
