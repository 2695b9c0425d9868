// The values the strict unpickler builds: the few Python types a torch.save(state_dict) pickle
// holds (None, bools, ints, floats, strings, tuples, lists, dicts in order), plus the allowed
// globals, storage references (persistent ids) and tensor rebuild records. Nothing here is
// executable: globals are names from an allow-list, never resolved to code.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace revgan::io::pth {

enum class ElementType : uint8_t { float32, float64, int64 };
std::size_t element_size(ElementType t);
const char* element_type_name(ElementType t);

// A storage of the file, named by its key ("0", "1", ... in zip archives).
struct StorageRef {
  std::string key;
  ElementType type = ElementType::float32;
  int64_t numel = 0;  // elements the storage holds
};

// torch._utils._rebuild_tensor(_v2)(storage, offset, size, stride, ...), checked against the storage.
struct TensorRecord {
  StorageRef storage;
  int64_t offset = 0;
  std::vector<int64_t> size, stride;
  int64_t numel() const;
};

// Empty when every element the record reads lies inside its storage (offsets and strides
// non-negative, no overflow, no more elements than the storage holds), else what is wrong.
std::string tensor_record_problem(const TensorRecord& r);

struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Value {
  enum class Kind : uint8_t {
    none,
    boolean,
    integer,
    big_integer,
    floating,
    string,
    tuple,
    list,
    dict,
    global,
    storage,
    tensor
  };
  Kind kind = Kind::none;
  bool boolean = false;
  int64_t integer = 0;
  double floating = 0;
  std::string text;                                 // string; big_integer: little-endian bytes; global: "module name"
  std::vector<ValuePtr> items;                      // tuple, list
  std::vector<std::pair<ValuePtr, ValuePtr>> dict;  // dict, OrderedDict (insertion order)
  std::unique_ptr<StorageRef> storage;              // storage
  std::unique_ptr<TensorRecord> tensor;             // tensor
  // Nesting depth below this value (0 for scalars); bounded by the unpickler.
  int depth = 0;
  // Set once the value is inside another container: it may no longer change (no cycles).
  bool frozen = false;

  bool is_string() const { return kind == Kind::string; }
  const ValuePtr* find(const std::string& key) const;  // dict lookup by string key
};

// "an int", "a tuple of 3", ... for error messages.
std::string describe(const Value& v);

}  // namespace revgan::io::pth
