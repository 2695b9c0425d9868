// The data-parallel collectives on a simulated two-rank group: bucketed gradient averaging
// gives (own + peer) / 2 for every parameter whatever the bucket size (and zeros stand in for a
// missing gradient).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <string>

#include "engine/distributed/communicator.hpp"
#include "engine/distributed/data_parallel.hpp"
#include "engine/tensor/factory.hpp"

using namespace revgan;

namespace {

// Rank 0 of two, whose peer's buffers are given in advance: every all-reduce adds the next one.
class TwoRanks final : public distributed::Communicator {
 public:
  std::deque<std::vector<double>> peer;
  int rank() const override { return 0; }
  int size() const override { return 2; }
  std::string describe() const override { return "two simulated ranks"; }
  void all_reduce_sum(Tensor& t) override {
    REQUIRE(!peer.empty());
    const std::vector<double> other = peer.front();
    peer.pop_front();
    REQUIRE(static_cast<int64_t>(other.size()) == t.numel());
    std::vector<double> mine = t.to_vector();
    for (std::size_t i = 0; i < mine.size(); ++i) mine[i] += other[i];
    t.copy_from(tensor_from_values(t.shape(), mine, t.dtype()));
  }
  void all_reduce_sum(std::vector<double>& values) override { FAIL("not used"); }
  void broadcast(Tensor&, int) override { FAIL("not used"); }
  void broadcast(std::vector<char>&, int) override { FAIL("not used"); }
  std::vector<std::vector<char>> gather(const std::vector<char>&, int) override { return {}; }
  [[noreturn]] void abort(int) override { throw std::logic_error("abort"); }
};

}  // namespace

TEST_CASE("average_gradients: bucketed mean of own and peer gradients", "[exec]") {
  for (int64_t bucket_bytes : {int64_t{8}, int64_t{40}, distributed::default_bucket_bytes}) {
    INFO("bucket bytes " << bucket_bytes);
    std::vector<Tensor> params = {Tensor::empty({2, 3}), Tensor::empty({4}), Tensor::empty({1, 1, 2})};
    std::vector<std::vector<double>> own = {{1, 2, 3, 4, 5, 6}, {7, 8, 9, 10}, {}};
    for (std::size_t i = 0; i < params.size(); ++i) {
      params[i].set_requires_grad(true);
      if (!own[i].empty()) params[i].set_grad(tensor_from_values(params[i].shape(), own[i]));
    }
    // The peer's gradients, flattened in parameter order: 10 * own, and 1, 1 for the missing one.
    std::vector<double> peer_flat = {10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 1, 1};
    // Split the peer's flat gradients the way the buckets will be: in parameter order, a new
    // bucket whenever the next parameter would overflow the current one.
    TwoRanks group;
    std::size_t at = 0;
    int64_t bucket = 0;
    std::vector<double> current;
    for (const Tensor& p : params) {
      if (!current.empty() && (bucket + p.numel()) * 4 > bucket_bytes) {
        group.peer.push_back(current);
        current.clear();
        bucket = 0;
      }
      current.insert(current.end(), peer_flat.begin() + static_cast<long>(at),
                     peer_flat.begin() + static_cast<long>(at + static_cast<std::size_t>(p.numel())));
      at += static_cast<std::size_t>(p.numel());
      bucket += p.numel();
    }
    group.peer.push_back(current);
    const std::size_t buckets = group.peer.size();

    distributed::ReduceStats stats;
    distributed::average_gradients(group, params, &stats, bucket_bytes);
    CHECK(group.peer.empty());
    CHECK(stats.buckets == static_cast<int64_t>(buckets));
    CHECK(stats.bytes == 12 * 4);
    CHECK(params[0].grad().to_vector() == std::vector<double>{5.5, 11, 16.5, 22, 27.5, 33});
    CHECK(params[1].grad().to_vector() == std::vector<double>{38.5, 44, 49.5, 55});
    REQUIRE(params[2].grad().defined());
    CHECK(params[2].grad().to_vector() == std::vector<double>{0.5, 0.5});
  }
}

TEST_CASE("launcher_group_size: read from Open MPI's or PMI's environment, 1 without a launcher", "[exec]") {
  const char* saved = std::getenv("OMPI_COMM_WORLD_SIZE");
  const std::string restore = saved != nullptr ? saved : "";
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  ::unsetenv("PMI_SIZE");
  CHECK(revgan::distributed::launcher_group_size() == 1);
  ::setenv("PMI_SIZE", "3", 1);
  CHECK(revgan::distributed::launcher_group_size() == 3);
  ::unsetenv("PMI_SIZE");
  ::setenv("OMPI_COMM_WORLD_SIZE", "4", 1);
  CHECK(revgan::distributed::launcher_group_size() == 4);
  if (saved != nullptr)
    ::setenv("OMPI_COMM_WORLD_SIZE", restore.c_str(), 1);
  else
    ::unsetenv("OMPI_COMM_WORLD_SIZE");
}
