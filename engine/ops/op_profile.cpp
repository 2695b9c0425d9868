// The rows of op_profile.hpp, under one mutex (only taken while profiling is on).
#include "engine/ops/op_profile.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

#include "engine/autograd/grad_mode.hpp"

namespace revgan::ops {

namespace {

using Key = std::tuple<std::string, bool, std::string>;

struct Profile {
  std::mutex mutex;
  std::map<Key, OpTimeRow> rows;
};

Profile& profile() {
  static Profile instance;
  return instance;
}

}  // namespace

void detail::record_op_time(std::string_view op, const Shape& shape, double seconds) {
  Key key{std::string(op), grad_enabled(), shape.str()};
  Profile& p = profile();
  const std::lock_guard<std::mutex> lock(p.mutex);
  auto [it, fresh] = p.rows.try_emplace(key);
  if (fresh) it->second = {std::get<0>(key), std::get<1>(key), std::get<2>(key), 0, 0};
  it->second.seconds += seconds;
  ++it->second.calls;
}

void set_op_profiling(bool on) { detail::op_profiling_on.store(on, std::memory_order_relaxed); }

void reset_op_profile() {
  Profile& p = profile();
  const std::lock_guard<std::mutex> lock(p.mutex);
  p.rows.clear();
}

std::vector<OpTimeRow> op_profile() {
  Profile& p = profile();
  std::vector<OpTimeRow> out;
  {
    const std::lock_guard<std::mutex> lock(p.mutex);
    for (const auto& [key, row] : p.rows) out.push_back(row);
  }
  std::sort(out.begin(), out.end(), [](const OpTimeRow& a, const OpTimeRow& b) { return a.seconds > b.seconds; });
  return out;
}

}  // namespace revgan::ops
