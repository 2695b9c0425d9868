// Where each input of a folder job is written. Output paths are computed lexically from the
// paths as listed (never through symlinks), so an input linked in from elsewhere is written
// under the output folder like any other; and no output may replace an input or land outside
// the output folder, whatever links the folders hold.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace revgan::infer {

struct PlannedFile {
  std::filesystem::path input, output;
};

// `listed`: the files found under the folder `input` (as listed: input / relative names), or
// `input` itself when it is a file. Each output is `output / <relative name>`, with the
// extension replaced by `extension` unless that is empty. Fails, naming the files, when two
// inputs map to one output, when an output would lie outside `output`, or when an output
// would replace an input (through any link).
std::vector<PlannedFile> plan_files(const std::filesystem::path& input, const std::vector<std::filesystem::path>& listed,
                                    const std::filesystem::path& output, const std::string& extension);

// Right before `file` is written, after its folder exists: fails when that folder, with every
// link resolved, is not inside `output_root` (a sub-folder of the output that is a link to
// somewhere else), so nothing is ever written outside the output folder.
void check_inside_output(const std::filesystem::path& output_root, const std::filesystem::path& file);

}  // namespace revgan::infer
