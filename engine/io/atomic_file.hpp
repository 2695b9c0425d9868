// Whole-file replacement that no reader, crash or kill ever sees half-written: the bytes go to
// a locked temporary file in the target's folder, which is synced and renamed over the target
// (atomic on POSIX file systems). Temporary files of writers that died (kill -9 mid-save) are
// recognised by their name and their released lock, and removed by remove_stale_temporaries.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace revgan::io {

// "<folder>/.tmp-<pid>-<name>": hidden, and the name's extensions are kept, so encoders that
// choose a format by extension (.png, .nii.gz) still work on it.
std::filesystem::path temporary_path_for(const std::filesystem::path& target);

class AtomicFile {
 public:
  // `created_by_caller` false: creates the temporary file for `target` and holds an exclusive
  // lock (flock) on it until commit or destruction, for write(). true: only reserves the name;
  // the caller's encoder creates the file (libraries such as HDF5 lock or refuse files that
  // already exist), and the writer is then recognised as live by its pid alone.
  // `context` prefixes every error message.
  AtomicFile(std::filesystem::path target, std::string context, bool created_by_caller = false);
  ~AtomicFile();  // unless committed: removes the temporary file
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::filesystem::path& temp_path() const { return temp_; }
  // Appends through the locked descriptor (write loop, EINTR, short writes; errors name the file).
  void write(const void* data, std::size_t bytes);
  // fsync, rename over the target, then fsync the folder (best effort: some file systems refuse
  // that; without it a crash can bring back the previous complete file, never a partial one).
  void commit();

 private:
  std::filesystem::path target_, temp_;
  std::string context_;
  int fd_ = -1;
  bool committed_ = false;
};

// `write` creates the file at the temporary path it is given (an image or volume encoder that
// opens the path itself); then it is committed. On any error the target is left as it was.
void write_atomically(const std::filesystem::path& target,
                      const std::function<void(const std::filesystem::path& temp)>& write);
void write_text_atomically(const std::filesystem::path& target, const std::string& text);

// Removes the temporary files in `folder` (not below it) whose writer is gone: the process
// named in the file name no longer runs on this machine and nobody holds the file's lock. A
// live writer's file is never touched. Returns the removed paths.
std::vector<std::filesystem::path> remove_stale_temporaries(const std::filesystem::path& folder);

}  // namespace revgan::io
