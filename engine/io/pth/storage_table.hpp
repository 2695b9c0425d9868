// The storages a state-dict pickle refers to through persistent ids, shared by both .pth
// formats: each id is validated when the pickle names it (one type and element count per key),
// the format supplies each storage's bytes, and the tensor records are then gathered into
// contiguous tensors within a byte budget.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "engine/io/pth/state_dict.hpp"
#include "engine/io/pth/unpickler.hpp"

namespace revgan::io::pth {

class StorageTable {
 public:
  // `pid_length`: 5 for the zip format ('storage', type, key, location, numel), 6 for the legacy
  // one (the same plus view metadata, which must be None). `what` prefixes errors.
  StorageTable(std::string what, std::size_t pid_length) : what_(std::move(what)), pid_length_(pid_length) {}

  // The persistent-id resolver for unpickle().
  PersistentLoad loader();

  struct Declared {
    ElementType type;
    int64_t numel;
    std::span<const uint8_t> bytes;  // empty until supplied
    bool supplied = false;
  };
  const std::map<std::string, Declared>& declared() const { return declared_; }
  // The bytes of storage `key`, exactly numel * element size of what the pickle declared.
  void supply(const std::string& key, std::span<const uint8_t> bytes);

  // The unpickled object as a state dict: a dict of string keys to tensors. Every tensor's
  // storage must have been supplied; at most `max_bytes` are materialised in all.
  StateDict to_state_dict(const Value& top, uint64_t max_bytes) const;

 private:
  ValuePtr resolve(const Value& pid);
  StoredTensor materialise(const std::string& name, const TensorRecord& record, uint64_t& budget) const;

  std::string what_;
  std::size_t pid_length_;
  std::map<std::string, Declared> declared_;
  std::map<std::string, ValuePtr> values_;
};

}  // namespace revgan::io::pth
