// Writes procedural scenes as datasets in the pix2pix / CycleGAN folder layouts
// (A = photo, B = label), returning what was written and from which scene seed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace revgan::data::procedural {

struct WrittenFile {
  std::filesystem::path path;
  uint64_t scene_seed = 0;
};

// root/train/NNNNNN.png and root/test/NNNNNN.png: photo | label side by side (size x 2size wide).
std::vector<WrittenFile> write_aligned_dataset(const std::filesystem::path& root, int64_t n_train, int64_t n_test,
                                               int64_t size, uint64_t seed);
// root/trainA, trainB, testA, testB: photos in A, labels in B, from disjoint scenes.
std::vector<WrittenFile> write_unaligned_dataset(const std::filesystem::path& root, int64_t n_train, int64_t n_test,
                                                 int64_t size, uint64_t seed);

// The scene seed of file `index` in a folder; `stream` distinguishes folders so no two folders
// (and, for unaligned data, never A and B) share a scene.
uint64_t scene_seed(uint64_t seed, uint64_t stream, int64_t index);

}  // namespace revgan::data::procedural
