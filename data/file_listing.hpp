// Recursive listing of dataset folders, shared by images and volumes. Symlinked files and
// symlinked sub-folders are listed under the path they have inside the folder (datasets are
// often linked into place), hidden entries are skipped, and a link back to a folder being
// listed is not followed again, so link cycles end.
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>
#include <vector>

namespace revgan::data {

// Every regular file (or link to one) under `folder` for which `wanted` is true, sorted, each
// as `folder / <names as listed>` (never resolved). `what` names the folder in errors
// ("dataset folder", "volume folder").
std::vector<std::filesystem::path> list_files(const std::filesystem::path& folder,
                                              const std::function<bool(const std::filesystem::path&)>& wanted,
                                              std::string_view what);

}  // namespace revgan::data
