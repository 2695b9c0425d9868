// Dataset writers for procedural scenes. Files are independent, so folders are filled in
// parallel (OpenMP); the first error is kept and re-thrown after the loop.
#include "data/procedural/writers.hpp"

#include <fmt/format.h>

#include <exception>
#include <functional>
#include <mutex>
#include <unordered_set>

#include "data/image.hpp"
#include "data/procedural/scene.hpp"
#include "data/seed.hpp"
#include "engine/core/check.hpp"

namespace revgan::data::procedural {

namespace {

// Stream ids of the folders; distinct ids give distinct scene seeds.
enum : uint64_t { aligned_train = 0, aligned_test = 1, train_A = 2, train_B = 3, test_A = 4, test_B = 5 };

void make_folder(const std::filesystem::path& folder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  REVGAN_CHECK(!ec, "cannot create folder {}: {}", folder.string(), ec.message());
}

std::vector<WrittenFile> write_folder(const std::filesystem::path& folder, int64_t count, int64_t size, uint64_t seed,
                                      uint64_t stream, const std::function<Image(const Scene&)>& pick) {
  make_folder(folder);
  std::vector<WrittenFile> files(static_cast<std::size_t>(count));
  std::exception_ptr error;
  std::mutex error_mutex;
#pragma omp parallel for schedule(dynamic)
  for (int64_t i = 0; i < count; ++i) {
    try {
      const uint64_t s = scene_seed(seed, stream, i);
      const auto path = folder / fmt::format("{:06}.png", i);
      write_png(pick(generate_scene(s, size, size)), path);
      files[static_cast<std::size_t>(i)] = {path, s};
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
  return files;
}

void check_counts(const std::filesystem::path& root, int64_t n_train, int64_t n_test, int64_t size) {
  REVGAN_CHECK(n_train >= 0 && n_test >= 0, "dataset {}: negative image counts ({} train, {} test)", root.string(),
               n_train, n_test);
  REVGAN_CHECK(size >= 64 && size <= 256, "dataset {}: size {} outside 64..256", root.string(), size);
}

void append(std::vector<WrittenFile>& all, std::vector<WrittenFile> more) {
  all.insert(all.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

}  // namespace

uint64_t scene_seed(uint64_t seed, uint64_t stream, int64_t index) {
  return derive_seed(seed, stream, static_cast<uint64_t>(index));
}

std::vector<WrittenFile> write_aligned_dataset(const std::filesystem::path& root, int64_t n_train, int64_t n_test,
                                               int64_t size, uint64_t seed) {
  check_counts(root, n_train, n_test, size);
  const auto side_by_side = [](const Scene& s) { return concat_horizontal(s.photo, s.label); };
  std::vector<WrittenFile> all = write_folder(root / "train", n_train, size, seed, aligned_train, side_by_side);
  append(all, write_folder(root / "test", n_test, size, seed, aligned_test, side_by_side));
  return all;
}

std::vector<WrittenFile> write_unaligned_dataset(const std::filesystem::path& root, int64_t n_train, int64_t n_test,
                                                 int64_t size, uint64_t seed) {
  check_counts(root, n_train, n_test, size);
  const auto photo = [](const Scene& s) { return s.photo; };
  const auto label = [](const Scene& s) { return s.label; };
  // Guard the disjointness promise explicitly rather than trusting 64-bit hashing alone.
  std::unordered_set<uint64_t> seeds_A;
  for (int64_t i = 0; i < n_train; ++i) seeds_A.insert(scene_seed(seed, train_A, i));
  for (int64_t i = 0; i < n_test; ++i) seeds_A.insert(scene_seed(seed, test_A, i));
  for (int64_t i = 0; i < n_train; ++i)
    REVGAN_CHECK(!seeds_A.contains(scene_seed(seed, train_B, i)), "dataset {}: scene seed collision", root.string());
  for (int64_t i = 0; i < n_test; ++i)
    REVGAN_CHECK(!seeds_A.contains(scene_seed(seed, test_B, i)), "dataset {}: scene seed collision", root.string());

  std::vector<WrittenFile> all = write_folder(root / "trainA", n_train, size, seed, train_A, photo);
  append(all, write_folder(root / "trainB", n_train, size, seed, train_B, label));
  append(all, write_folder(root / "testA", n_test, size, seed, test_A, photo));
  append(all, write_folder(root / "testB", n_test, size, seed, test_B, label));
  return all;
}

}  // namespace revgan::data::procedural
