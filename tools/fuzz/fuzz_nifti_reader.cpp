// libFuzzer harness for the NIfTI reader: the nifti library reads from a path only, so each
// input is written to one reused temporary file (.nii.gz when it starts with the gzip magic).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "data/volume/nifti_io.hpp"
#include "engine/core/check.hpp"

namespace {

std::filesystem::path temp_path(bool gzip) {
  static const std::filesystem::path dir = [] {
    std::error_code ec;
    const std::filesystem::path shm = "/dev/shm";
    return std::filesystem::is_directory(shm, ec) ? shm : std::filesystem::temp_directory_path();
  }();
  return dir / ("revgan-fuzz-nifti-" + std::to_string(::getpid()) + (gzip ? ".nii.gz" : ".nii"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const bool gzip = size >= 2 && data[0] == 0x1F && data[1] == 0x8B;
  const auto path = temp_path(gzip);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  const bool written = std::fwrite(data, 1, size, f) == size;
  std::fclose(f);
  if (!written) return 0;
  revgan::data::NiftiReadOptions options;
  options.max_voxels = int64_t{1} << 20;  // keeps every allocation far below libFuzzer's limit
  try {
    const revgan::data::Volume v = revgan::data::read_nifti(path, options);
    if (v.numel() <= 0 || v.data.size() != static_cast<std::size_t>(v.numel())) __builtin_trap();
  } catch (const revgan::Error&) {
    // Expected for malformed input.
  }
  std::remove(path.c_str());
  return 0;
}
