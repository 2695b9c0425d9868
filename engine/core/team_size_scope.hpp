// Sets this thread's OpenMP team size (omp_set_num_threads) for the scope's lifetime and puts
// the previous one back, also when the scope is left by an exception.
#pragma once

#include <omp.h>

namespace revgan {

class TeamSizeScope {
 public:
  explicit TeamSizeScope(int threads) : saved_(omp_get_max_threads()) { omp_set_num_threads(threads); }
  ~TeamSizeScope() { omp_set_num_threads(saved_); }
  TeamSizeScope(const TeamSizeScope&) = delete;
  TeamSizeScope& operator=(const TeamSizeScope&) = delete;

 private:
  int saved_;
};

}  // namespace revgan
