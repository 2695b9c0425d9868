// Folder planning, the writability probe and the batched translation loop.
#include "tools/infer/folder.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "data/dataset.hpp"
#include "engine/core/check.hpp"
#include "engine/io/atomic_file.hpp"

namespace revgan::infer {

namespace fs = std::filesystem;

InputPart parse_input_part(const std::string& text) {
  if (text == "whole") return InputPart::whole;
  if (text == "left" || text == "A") return InputPart::left;
  if (text == "right" || text == "B") return InputPart::right;
  REVGAN_FAIL("the input part must be whole, left (A) or right (B), got '{}'", text);
}

std::vector<PlannedFile> plan_outputs(const FolderJob& job) {
  REVGAN_CHECK(job.format == "png" || job.format == "jpg", "output format must be png or jpg, got '{}'", job.format);
  std::error_code ec;
  REVGAN_CHECK(fs::exists(job.input, ec), "input '{}' does not exist", job.input.string());
  const bool single = fs::is_regular_file(job.input, ec);
  const std::vector<fs::path> listed = single ? std::vector<fs::path>{job.input} : data::list_image_files(job.input);
  REVGAN_CHECK(!listed.empty(), "input folder '{}' holds no images", job.input.string());
  return plan_files(job.input, listed, job.output, job.format);
}

void prepare_output_folder(const fs::path& output_root, const fs::path& file) {
  const fs::path folder = file.parent_path();
  std::error_code ec;
  fs::create_directories(folder, ec);
  REVGAN_CHECK(!ec, "cannot create '{}': {}", folder.string(), ec.message());
  check_inside_output(output_root, file);
  for (const fs::path& stale : io::remove_stale_temporaries(folder))
    fmt::print(stderr, "revgan: removed '{}', left by an interrupted writer\n", stale.string());
}

void ensure_writable_folder(const fs::path& folder) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  REVGAN_CHECK(!ec && fs::is_directory(folder), "cannot create the output folder '{}': {}", folder.string(),
               ec ? ec.message() : std::string("a file of that name exists"));
  const fs::path probe = folder / fmt::format(".revgan-write-probe-{}", static_cast<long>(::getpid()));
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  const int err = errno;
  REVGAN_CHECK(f != nullptr, "the output folder '{}' is not writable: {}", folder.string(), std::strerror(err));
  std::fclose(f);
  fs::remove(probe, ec);
}

namespace {

data::Image select_part(const data::Image& image, InputPart part, const fs::path& path) {
  if (part == InputPart::whole) return image;
  REVGAN_CHECK(image.width % 2 == 0, "'{}' is {} pixels wide: an aligned A|B image needs an even width",
               path.string(), image.width);
  const int64_t w = image.width / 2;
  return data::crop(image, part == InputPart::left ? 0 : w, 0, w, image.height);
}

void write_output(const data::Image& image, const fs::path& path, const FolderJob& job) {
  prepare_output_folder(job.output, path);
  const std::string& format = job.format;
  io::write_atomically(path, [&](const fs::path& temp) {
    if (format == "jpg")
      data::write_jpeg(image, temp);
    else
      data::write_png(image, temp);
  });
}

}  // namespace

FolderResult translate_folder(const Translator& translator, const FolderJob& job, const Progress& progress) {
  const std::vector<PlannedFile> plan = plan_outputs(job);
  ensure_writable_folder(job.output);
  const TileOptions& tiles = job.tiles;
  const std::size_t batch = static_cast<std::size_t>(std::max<int64_t>(job.batch, 1));
  FolderResult done;
  for (std::size_t first = 0; first < plan.size();) {
    // Consecutive inputs of one size share a network call.
    std::vector<data::Image> images;
    std::size_t last = first;
    while (last < plan.size() && images.size() < batch) {
      data::Image im = select_part(data::read_image(plan[last].input), job.part, plan[last].input);
      if (!images.empty() && (im.width != images.front().width || im.height != images.front().height)) break;
      images.push_back(std::move(im));
      ++last;
    }
    const std::vector<data::Image> outputs = translator.translate_batch(images, tiles, &done.tiled);
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      write_output(outputs[i], plan[first + i].output, job);
      ++done.translated;
      if (progress) progress(done.translated, static_cast<int64_t>(plan.size()), plan[first + i].input);
    }
    first = last;
  }
  return done;
}

}  // namespace revgan::infer
