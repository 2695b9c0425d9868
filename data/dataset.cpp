// What the three dataset layouts share: option parsing, file listing and probing, the skip
// bookkeeping, per-sample generators, collation and the factory.
#include "data/dataset.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "data/file_listing.hpp"
#include "data/preprocess.hpp"
#include "data/seed.hpp"
#include "engine/core/check.hpp"

namespace revgan::data {

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}
}  // namespace

Preprocess parse_preprocess(std::string_view text) {
  for (Preprocess p : {Preprocess::resize_and_crop, Preprocess::crop, Preprocess::scale_width,
                       Preprocess::scale_width_and_crop, Preprocess::none})
    if (text == preprocess_name(p)) return p;
  REVGAN_FAIL("unknown preprocess mode '{}' (expected resize_and_crop, crop, scale_width, scale_width_and_crop or none)",
              text);
}

std::string_view preprocess_name(Preprocess p) {
  switch (p) {
    case Preprocess::resize_and_crop: return "resize_and_crop";
    case Preprocess::crop: return "crop";
    case Preprocess::scale_width: return "scale_width";
    case Preprocess::scale_width_and_crop: return "scale_width_and_crop";
    case Preprocess::none: return "none";
  }
  return "?";
}

Direction parse_direction(std::string_view text) {
  if (text == "AtoB") return Direction::AtoB;
  if (text == "BtoA") return Direction::BtoA;
  REVGAN_FAIL("unknown direction '{}' (expected AtoB or BtoA)", text);
}

Generator sample_generator(uint64_t seed, uint64_t epoch, int64_t index) {
  return Generator(derive_seed(seed, epoch, static_cast<uint64_t>(index)));
}

bool has_image_extension(const std::filesystem::path& path) {
  static constexpr const char* extensions[] = {".png", ".jpg", ".jpeg", ".bmp", ".tga", ".ppm", ".pgm"};
  const std::string ext = lower(path.extension().string());
  return std::any_of(std::begin(extensions), std::end(extensions), [&](const char* e) { return ext == e; });
}

std::vector<std::filesystem::path> list_image_files(const std::filesystem::path& folder) {
  return list_files(folder, has_image_extension, "dataset folder");
}

Dataset::Dataset(DatasetOptions options) : options_(std::move(options)) { validate_options(options_); }

int64_t Dataset::skipped_count() const {
  std::lock_guard lock(skip_mutex_);
  return static_cast<int64_t>(skipped_.size());
}

std::vector<Dataset::SkippedFile> Dataset::skipped_files() const {
  std::lock_guard lock(skip_mutex_);
  return skipped_;
}

void Dataset::record_skip(const std::string& path, const std::string& reason) const {
  std::lock_guard lock(skip_mutex_);
  const bool known = std::any_of(skipped_.begin(), skipped_.end(), [&](const SkippedFile& s) { return s.path == path; });
  if (!known) skipped_.push_back({path, reason});
}

std::vector<std::filesystem::path> Dataset::scan_folder(const std::filesystem::path& folder,
                                                        int64_t width_divisor) const {
  const auto listed = list_image_files(folder);
  REVGAN_CHECK(!listed.empty(), "dataset folder {} contains no images (.png .jpg .jpeg .bmp .tga .ppm .pgm)",
               folder.string());
  std::vector<std::filesystem::path> kept;
  std::pair<int64_t, int64_t> first_size;  // of kept.front(), after preprocessing
  for (const auto& path : listed) {
    if (static_cast<int64_t>(kept.size()) >= options_.max_dataset_size) break;
    ImageInfo info;
    try {
      info = probe_image(path);
    } catch (const Error& e) {
      if (!options_.skip_unreadable) throw;
      record_skip(path.string(), e.message());
      continue;
    }
    REVGAN_CHECK(info.width >= width_divisor, "image {} is {} pixels wide, too narrow to hold A|B side by side",
                 path.string(), info.width);
    const int64_t width = info.width / width_divisor;
    check_crop_fits(options_, width, info.height, path.string());
    const auto size = preprocessed_size(options_, width, info.height);
    REVGAN_CHECK(size.first >= options_.min_side && size.second >= options_.min_side,
                 "image {} is {}x{}{} ({}x{} after preprocess {}), but the networks take images of at least {}x{}: "
                 "remove it, or choose --preprocess / --load_size so that it is scaled up",
                 path.string(), width, info.height, width_divisor == 2 ? " per half" : "", size.first, size.second,
                 preprocess_name(options_.preprocess), options_.min_side, options_.min_side);
    if (kept.empty()) first_size = size;
    REVGAN_CHECK(!options_.one_size || size == first_size,
                 "images {} ({}x{}) and {} ({}x{}) differ in size after preprocess {}, so they cannot share a batch: "
                 "use --batch_size 1, or a preprocess that crops to one size (resize_and_crop, crop, "
                 "scale_width_and_crop)",
                 kept.empty() ? path.string() : kept.front().string(), first_size.first, first_size.second,
                 path.string(), size.first, size.second, preprocess_name(options_.preprocess));
    kept.push_back(path);
  }
  REVGAN_CHECK(!kept.empty(), "dataset folder {} has no readable images ({} skipped as unreadable)", folder.string(),
               skipped_count());
  return kept;
}

Dataset::Loaded Dataset::read_with_fallback(const std::vector<std::filesystem::path>& files, int64_t index) const {
  const int64_t n = static_cast<int64_t>(files.size());
  REVGAN_CHECK(index >= 0 && n > 0, "dataset {}: bad index {}", options_.dataroot.string(), index);
  for (int64_t k = 0; k < n; ++k) {
    const auto& path = files[static_cast<std::size_t>((index + k) % n)];
    try {
      return {path.string(), read_image(path)};
    } catch (const Error& e) {
      if (!options_.skip_unreadable) throw;
      record_skip(path.string(), e.message());
    }
  }
  REVGAN_FAIL("dataset {}: every one of its {} files failed to decode", options_.dataroot.string(), n);
}

Batch collate(const std::vector<Sample>& samples) {
  REVGAN_CHECK(!samples.empty(), "collate: no samples");
  const Sample& first = samples.front();
  REVGAN_CHECK(first.A.defined(), "collate: sample {} has no A tensor", first.A_path);
  const bool has_b = first.B.defined();
  Batch batch;
  const auto stack = [&](auto member, auto path_member, const char* name) {
    const Tensor& t0 = first.*member;
    Shape shape;
    shape.push_back(static_cast<int64_t>(samples.size()));
    for (int64_t d : t0.shape()) shape.push_back(d);
    Tensor out = Tensor::empty(shape, DType::float32);
    float* dst = out.data<float>();
    for (const Sample& s : samples) {
      const Tensor& t = s.*member;
      REVGAN_CHECK(t.defined() && t.shape() == t0.shape() && t.dtype() == DType::float32,
                   "collate: {} of {} is {} but {} of {} is {} (mismatched channel counts or sizes)", name,
                   s.*path_member, t.defined() ? t.describe() : "undefined", name, first.*path_member, t0.describe());
      std::memcpy(dst, t.data<float>(), t.nbytes());
      dst += t.numel();
    }
    return out;
  };
  batch.A = stack(&Sample::A, &Sample::A_path, "A");
  if (has_b) batch.B = stack(&Sample::B, &Sample::B_path, "B");
  for (const Sample& s : samples) {
    batch.A_paths.push_back(s.A_path);
    batch.B_paths.push_back(s.B_path);
  }
  return batch;
}

std::unique_ptr<Dataset> make_dataset(std::string_view mode, const DatasetOptions& options) {
  if (mode == "aligned") return std::make_unique<AlignedDataset>(options);
  if (mode == "unaligned") return std::make_unique<UnalignedDataset>(options);
  if (mode == "single") return std::make_unique<SingleDataset>(options);
  REVGAN_FAIL("unknown dataset mode '{}' (expected aligned, unaligned or single)", mode);
}

}  // namespace revgan::data
