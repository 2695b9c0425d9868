// Translating a folder (or one file) of images into an output folder: same relative names,
// PNG or JPEG, batched by size, every output written atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "tools/infer/output_plan.hpp"
#include "tools/infer/translator.hpp"

namespace revgan::infer {

// Which part of each input to translate: all of it, or the left (A) / right (B) half of a
// pix2pix aligned A|B image.
enum class InputPart { whole, left, right };
InputPart parse_input_part(const std::string& text);  // whole | left | A | right | B

struct FolderJob {
  std::filesystem::path input;   // a folder (searched recursively) or one image file
  std::filesystem::path output;  // a folder, created if missing
  std::string format = "png";    // png | jpg
  InputPart part = InputPart::whole;
  int64_t batch = 1;             // same-sized images per network call (when they fit whole)
  TileOptions tiles;
};

// Inputs and their output paths (see plan_files); fails on a missing input or an empty folder.
std::vector<PlannedFile> plan_outputs(const FolderJob& job);
// Creates `folder` and proves it writable (a probe file is created and removed), so that a bad
// output folder fails before any work and leaves nothing behind.
void ensure_writable_folder(const std::filesystem::path& folder);
// Creates the folder of `file` (an output below `output_root`), checks that it resolves inside
// `output_root`, and removes temporary files that killed writers left in it.
void prepare_output_folder(const std::filesystem::path& output_root, const std::filesystem::path& file);

using Progress = std::function<void(int64_t done, int64_t total, const std::filesystem::path& last)>;
struct FolderResult {
  int64_t translated = 0;
  int64_t tiled = 0;  // of those, how many ran in exact tiles (the rest whole)
};
FolderResult translate_folder(const Translator& translator, const FolderJob& job, const Progress& progress = {});

}  // namespace revgan::infer
