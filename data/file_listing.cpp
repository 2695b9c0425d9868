// Depth-first listing with the canonical paths of the folders on the current branch kept, so
// a symlink to one of them (a cycle) is skipped instead of followed forever.
#include "data/file_listing.hpp"

#include <algorithm>
#include <set>

#include "engine/core/check.hpp"

namespace revgan::data {

namespace fs = std::filesystem;

namespace {

struct Lister {
  const std::function<bool(const fs::path&)>& wanted;
  std::string_view what;
  const fs::path& root;
  std::set<fs::path> on_branch;  // canonical folders being listed
  std::vector<fs::path> files;

  void visit(const fs::path& folder) {
    std::error_code ec;
    const fs::path canonical = fs::canonical(folder, ec);
    REVGAN_CHECK(!ec, "cannot list {} {}: {}: {}", what, root.string(), folder.string(), ec.message());
    if (!on_branch.insert(canonical).second) return;  // a link back up: already being listed
    fs::directory_iterator it(folder, ec);
    REVGAN_CHECK(!ec, "cannot list {} {}: {}: {}", what, root.string(), folder.string(), ec.message());
    std::vector<fs::path> folders;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      REVGAN_CHECK(!ec, "cannot list {} {}: {}: {}", what, root.string(), folder.string(), ec.message());
      const fs::path& p = it->path();
      if (p.filename().string().starts_with(".")) continue;
      // is_directory / is_regular_file follow links; a dangling link is neither.
      if (it->is_directory(ec))
        folders.push_back(p);
      else if (it->is_regular_file(ec) && wanted(p))
        files.push_back(p);
    }
    for (const fs::path& sub : folders) visit(sub);
    on_branch.erase(canonical);
  }
};

}  // namespace

std::vector<fs::path> list_files(const fs::path& folder, const std::function<bool(const fs::path&)>& wanted,
                                 std::string_view what) {
  std::error_code ec;
  REVGAN_CHECK(fs::exists(folder, ec), "{} {} does not exist", what, folder.string());
  REVGAN_CHECK(fs::is_directory(folder, ec), "{} path {} is not a folder", what, folder.string());
  Lister lister{wanted, what, folder, {}, {}};
  lister.visit(folder);
  std::sort(lister.files.begin(), lister.files.end());
  return lister.files;
}

}  // namespace revgan::data
