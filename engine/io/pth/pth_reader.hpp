// Reads PyTorch state dicts (.pth / .pt files written by torch.save(model.state_dict())) without
// Python, in both serialisation formats:
//   zip     PyTorch >= 1.6: a stored zip archive "<name>/data.pkl" + "<name>/data/<key>";
//   legacy  older releases (and _use_new_zipfile_serialization=False): pickled magic number,
//           protocol version and system info, the state-dict pickle, the pickled list of
//           storage keys, then each storage as an int64 element count and its raw bytes.
// Only little-endian files with float32 / float64 / int64 storages are accepted. Everything a
// file declares (sizes, counts, offsets, strides) is checked against the bytes actually present
// before anything is allocated; see unpickler.hpp for what the pickle may contain.
#pragma once

#include <cstdint>
#include <string>

#include "engine/io/pth/state_dict.hpp"

namespace revgan::io::pth {

enum class PthFormat { zip, legacy };
const char* format_name(PthFormat f);

struct PthContents {
  StateDict state;
  PthFormat format = PthFormat::zip;
};

// Errors name the file and say what was wrong.
PthContents read_pth(const std::string& path);
// The same from bytes in memory; `name` stands for the file in errors.
PthContents read_pth_bytes(const uint8_t* data, std::size_t size, const std::string& name);

}  // namespace revgan::io::pth
