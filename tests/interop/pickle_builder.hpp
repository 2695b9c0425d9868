// Hand-made pickles and archives for the .pth reader's hostile-input tests: the pieces of a
// torch.save state-dict pickle, so that each test can change exactly one of them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace revgan::test::pickle {

std::string global(const std::string& module, const std::string& name);
std::string unicode(const std::string& s);  // BINUNICODE
std::string integer(int32_t v);             // BININT
std::string int_tuple(const std::vector<int64_t>& v);
// ('storage', torch.<storage_class>, key, 'cpu', numel) followed by BINPERSID.
std::string storage(const std::string& key, int64_t numel, const std::string& storage_class = "FloatStorage");
// _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()), REDUCE included.
std::string tensor(const std::string& key, int64_t numel, int64_t offset, const std::vector<int64_t>& size,
                   const std::vector<int64_t>& stride, const std::string& storage_class = "FloatStorage");
// PROTO 2, OrderedDict(), MARK, `items` (key, value pairs), SETITEMS, STOP.
std::string state_dict(const std::string& items);

// A zip-format .pth: archive/data.pkl plus archive/data/<key> for each storage.
std::vector<uint8_t> zip_pth(const std::string& pickle, const std::map<std::string, std::vector<uint8_t>>& storages);
// n float32 values 0, 1, 2, ... as bytes.
std::vector<uint8_t> floats(int64_t n);

}  // namespace revgan::test::pickle
