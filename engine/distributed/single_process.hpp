// The group of one process: every collective is the identity.
#pragma once

#include "engine/distributed/communicator.hpp"

namespace revgan::distributed {

class SingleProcess final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string describe() const override { return "single process"; }
  void all_reduce_sum(Tensor&) override {}
  void all_reduce_sum(std::vector<double>&) override {}
  void broadcast(Tensor&, int) override {}
  void broadcast(std::vector<char>&, int) override {}
  std::vector<std::vector<char>> gather(const std::vector<char>& bytes, int) override { return {bytes}; }
  // A single process has no others to stop: callers return their exit code instead.
  [[noreturn]] void abort(int exit_code) override;
};

}  // namespace revgan::distributed
