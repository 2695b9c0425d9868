// Checked state-dict loading into modules and state-dict export through a NameMap.
#include "engine/io/pth/module_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

namespace revgan::io::pth {

namespace {

std::vector<int64_t> dims_of(const Tensor& t) {
  return {t.shape().begin(), t.shape().end()};
}

std::string dims_str(const std::vector<int64_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", dims[i]);
  return s + "]";
}

// "model.10.conv_block.1.weight" after "model.2.weight": numbers compare as numbers.
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      const std::string na = a.substr(i, ie - i), nb = b.substr(j, je - j);
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

struct BufferSpec {
  std::vector<int64_t> shape;
  ElementType type;
};

std::map<std::string, BufferSpec> norm_buffers(const NameMap& names) {
  std::map<std::string, BufferSpec> out;
  for (const NormBuffers& n : names.norms) {
    out[n.prefix + "running_mean"] = {{n.channels}, ElementType::float32};
    out[n.prefix + "running_var"] = {{n.channels}, ElementType::float32};
    out[n.prefix + "num_batches_tracked"] = {{}, ElementType::int64};
  }
  return out;
}

std::string with_hint(const std::string& hint) {
  return hint.empty() ? std::string() : " (" + hint + ")";
}

}  // namespace

void NameMap::append(const NameMap& other) {
  params.insert(params.end(), other.params.begin(), other.params.end());
  norms.insert(norms.end(), other.norms.begin(), other.norms.end());
  buffers.insert(buffers.end(), other.buffers.begin(), other.buffers.end());
}

namespace {

bool is_counter(const std::string& path) {
  const std::string suffix = "num_batches_tracked";
  return path.size() >= suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Tensor to_tensor(const StoredTensor& stored, const std::string& what) {
  REVGAN_CHECK(stored.type != ElementType::int64, "{} is an int64 tensor; float32 or float64 expected", what);
  const DType dtype = stored.type == ElementType::float32 ? DType::float32 : DType::float64;
  Tensor t = Tensor::empty(Shape(stored.shape.begin(), stored.shape.end()), dtype);
  if (!stored.bytes.empty()) std::memcpy(t.raw_data(), stored.bytes.data(), stored.bytes.size());
  return t;
}

StoredTensor to_stored(const Tensor& tensor) {
  const Tensor host = tensor.detach().to(Device::cpu());
  StoredTensor s;
  s.type = host.dtype() == DType::float32 ? ElementType::float32 : ElementType::float64;
  s.shape = dims_of(host);
  s.bytes.resize(host.nbytes());
  if (!s.bytes.empty()) std::memcpy(s.bytes.data(), host.raw_data(), s.bytes.size());
  return s;
}

void load_state_dict(nn::Module& module, const StateDict& state, const NameMap& names, const std::string& file,
                     const std::string& hint) {
  const std::map<std::string, BufferSpec> buffers = norm_buffers(names);
  std::set<std::string> expected;
  for (const auto& [ours, theirs] : names.params) expected.insert(theirs);
  for (const auto& [ours, theirs] : names.buffers) expected.insert(theirs);
  // Unknown keys first, then the parameters (the most telling mismatch), then norm buffers.

  std::vector<std::string> unexpected;
  for (const auto& [key, t] : state.entries) {
    if (expected.count(key)) continue;
    const auto b = buffers.find(key);
    if (b == buffers.end()) unexpected.push_back(key);
  }
  if (!unexpected.empty()) {
    std::string list;
    for (std::size_t i = 0; i < unexpected.size() && i < 6; ++i)
      list += fmt::format("{}'{}'", i ? ", " : "", unexpected[i]);
    if (unexpected.size() > 6) list += fmt::format(" and {} more", unexpected.size() - 6);
    REVGAN_FAIL("'{}': {} unexpected key(s) for this network: {}{}", file, unexpected.size(), list, with_hint(hint));
  }

  std::vector<std::pair<Tensor, Tensor>> copies;  // (parameter, value): applied only once all are checked
  for (const auto& [ours, theirs] : names.params) {
    const StoredTensor* stored = state.find(theirs);
    Tensor param = module.parameter(ours);
    REVGAN_CHECK(stored != nullptr, "'{}': missing key '{}' (expected {} {}){}", file, theirs,
                 dtype_name(param.dtype()), param.shape().str(), with_hint(hint));
    REVGAN_CHECK(stored->shape == dims_of(param), "'{}': '{}' has shape {}, this network expects {}{}", file, theirs,
                 stored->shape_str(), param.shape().str(), with_hint(hint));
    copies.emplace_back(param, to_tensor(*stored, fmt::format("'{}': '{}'", file, theirs)).to(param.dtype()));
  }
  for (const auto& [ours, theirs] : names.buffers) {
    const StoredTensor* stored = state.find(theirs);
    Tensor buffer = module.buffer(ours);
    if (is_counter(ours)) {
      REVGAN_CHECK(stored != nullptr, "'{}': missing key '{}' (expected an int64 scalar){}", file, theirs,
                   with_hint(hint));
      REVGAN_CHECK(stored->type == ElementType::int64 && stored->shape.empty() && stored->bytes.size() == 8,
                   "'{}': '{}' is {} {}, expected an int64 scalar{}", file, theirs, element_type_name(stored->type),
                   stored->shape_str(), with_hint(hint));
      int64_t count = 0;
      std::memcpy(&count, stored->bytes.data(), 8);
      Tensor value = Tensor::empty(buffer.shape(), DType::float64);
      value.data<double>()[0] = static_cast<double>(count);
      copies.emplace_back(buffer, value.to(buffer.dtype()));
      continue;
    }
    REVGAN_CHECK(stored != nullptr, "'{}': missing buffer '{}' (expected {} {}){}", file, theirs,
                 dtype_name(buffer.dtype()), buffer.shape().str(), with_hint(hint));
    REVGAN_CHECK(stored->shape == dims_of(buffer), "'{}': '{}' has shape {}, this network expects {}{}", file, theirs,
                 stored->shape_str(), buffer.shape().str(), with_hint(hint));
    copies.emplace_back(buffer, to_tensor(*stored, fmt::format("'{}': '{}'", file, theirs)).to(buffer.dtype()));
  }
  for (const auto& [key, t] : state.entries) {
    const auto b = buffers.find(key);
    if (b == buffers.end() || expected.count(key)) continue;
    const bool type_ok = (t.type == ElementType::int64) == (b->second.type == ElementType::int64);
    REVGAN_CHECK(t.shape == b->second.shape && type_ok, "'{}': norm buffer '{}' is {} {}, expected {} {}{}", file, key,
                 element_type_name(t.type), t.shape_str(), element_type_name(b->second.type), dims_str(b->second.shape),
                 with_hint(hint));
  }
  for (auto& [param, value] : copies) param.copy_from(value);
}

StateDict export_state_dict(const nn::Module& module, const NameMap& names) {
  StateDict out;
  for (const auto& [ours, theirs] : names.params) out.entries.emplace_back(theirs, to_stored(module.parameter(ours)));
  for (const auto& [ours, theirs] : names.buffers) {
    const Tensor buffer = module.buffer(ours);
    if (!is_counter(ours)) {
      out.entries.emplace_back(theirs, to_stored(buffer));
      continue;
    }
    const int64_t count = static_cast<int64_t>(buffer.to(DType::float64).to(Device::cpu()).data<double>()[0]);
    StoredTensor stored{ElementType::int64, {}, std::vector<uint8_t>(8, 0)};
    std::memcpy(stored.bytes.data(), &count, 8);
    out.entries.emplace_back(theirs, std::move(stored));
  }
  if (names.write_running_stats) {
    for (const NormBuffers& n : names.norms) {
      StoredTensor mean{ElementType::float32, {n.channels}, {}}, var{ElementType::float32, {n.channels}, {}};
      mean.bytes.assign(static_cast<std::size_t>(n.channels) * 4, 0);
      std::vector<float> ones(static_cast<std::size_t>(n.channels), 1.0f);
      var.bytes.resize(ones.size() * 4);
      if (!ones.empty()) std::memcpy(var.bytes.data(), ones.data(), var.bytes.size());
      StoredTensor count{ElementType::int64, {}, std::vector<uint8_t>(8, 0)};
      out.entries.emplace_back(n.prefix + "running_mean", std::move(mean));
      out.entries.emplace_back(n.prefix + "running_var", std::move(var));
      out.entries.emplace_back(n.prefix + "num_batches_tracked", std::move(count));
    }
  }
  std::stable_sort(out.entries.begin(), out.entries.end(),
                   [](const auto& a, const auto& b) { return natural_less(a.first, b.first); });
  return out;
}

}  // namespace revgan::io::pth
