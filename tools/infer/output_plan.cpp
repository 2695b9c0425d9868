// plan_files and check_inside_output: lexical mapping, then the link-aware guards.
#include "tools/infer/output_plan.hpp"

#include <map>
#include <set>

#include "engine/core/check.hpp"

namespace revgan::infer {

namespace fs = std::filesystem;

namespace {

// True when the lexically normal `path` is `root` or below it.
bool lexically_inside(const fs::path& root, const fs::path& path) {
  const fs::path rel = path.lexically_normal().lexically_relative(root.lexically_normal());
  return !rel.empty() && *rel.begin() != "..";
}

bool resolved_inside(const fs::path& root, const fs::path& path) {
  std::error_code ec;
  const fs::path r = fs::weakly_canonical(root, ec);
  const fs::path p = fs::weakly_canonical(path, ec);
  return !ec && lexically_inside(r, p);
}

}  // namespace

std::vector<PlannedFile> plan_files(const fs::path& input, const std::vector<fs::path>& listed, const fs::path& output,
                                    const std::string& extension) {
  std::error_code ec;
  const bool single = fs::is_regular_file(input, ec);
  // What the inputs really are, to refuse outputs that would overwrite one of them.
  std::set<fs::path> sources;
  for (const fs::path& in : listed) sources.insert(fs::weakly_canonical(in, ec));

  std::map<fs::path, fs::path> claimed;
  std::vector<PlannedFile> plan;
  for (const fs::path& in : listed) {
    const fs::path rel = single ? in.filename() : in.lexically_relative(input);
    REVGAN_CHECK(!rel.empty() && !rel.is_absolute() && *rel.begin() != "..",
                 "cannot place the output of '{}': it is not inside the input folder '{}'", in.string(),
                 input.string());
    fs::path out = output / rel;
    if (!extension.empty()) out.replace_extension(extension);
    out = out.lexically_normal();
    REVGAN_CHECK(lexically_inside(output, out), "the output of '{}' would be '{}', outside the output folder '{}'",
                 in.string(), out.string(), output.string());
    const fs::path real_out = fs::weakly_canonical(out, ec);
    REVGAN_CHECK(!sources.contains(real_out),
                 "refusing to translate '{}': its output '{}' would replace the input '{}' (choose an output folder "
                 "apart from the inputs)",
                 in.string(), out.string(), real_out.string());
    const auto [it, fresh] = claimed.emplace(out, in);
    REVGAN_CHECK(fresh, "inputs '{}' and '{}' would both be written to '{}'", it->second.string(), in.string(),
                 out.string());
    plan.push_back({in, out});
  }
  return plan;
}

void check_inside_output(const fs::path& output_root, const fs::path& file) {
  REVGAN_CHECK(resolved_inside(output_root, file.parent_path()),
               "refusing to write '{}': its folder resolves to '{}', outside the output folder '{}' (a symlink?)",
               file.string(), fs::weakly_canonical(file.parent_path()).string(),
               fs::weakly_canonical(output_root).string());
}

}  // namespace revgan::infer
