// The world group: chosen once, from the build (MPI or not) and the launcher's environment.
#include "engine/distributed/communicator.hpp"

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include "engine/core/check.hpp"
#include "engine/distributed/single_process.hpp"

#ifdef REVGAN_WITH_MPI
#include "engine/distributed/mpi_communicator.hpp"
#endif

namespace revgan::distributed {

namespace {

// Open MPI's mpirun and PMI-based launchers (srun, hydra) announce the group in the environment.
bool launched_as_group() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

std::unique_ptr<Communicator>& instance() {
  static std::unique_ptr<Communicator> world;
  return world;
}

Communicator& make_world(int* argc, char*** argv) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  auto& world = instance();
  if (world) return *world;
#ifdef REVGAN_WITH_MPI
  if (launched_as_group()) {
    world = make_mpi_communicator(argc, argv);
    return *world;
  }
#endif
  world = std::make_unique<SingleProcess>();
  return *world;
}

}  // namespace

bool Communicator::any(bool flag) {
  std::vector<double> v{flag ? 1.0 : 0.0};
  all_reduce_sum(v);
  return v[0] > 0;
}

void SingleProcess::abort(int exit_code) {
  REVGAN_FAIL("abort({}) on a single process: there is no group to stop; return the exit code instead", exit_code);
}

Communicator& world() { return make_world(nullptr, nullptr); }
Communicator& init_world(int& argc, char**& argv) { return make_world(&argc, &argv); }

int local_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"})
    if (const char* value = std::getenv(name); value != nullptr) return std::atoi(value);
  return 0;
}

int launcher_group_size() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* value = std::getenv(name); value != nullptr) return std::max(1, std::atoi(value));
  return 1;
}

bool built_with_mpi() {
#ifdef REVGAN_WITH_MPI
  return true;
#else
  return false;
#endif
}

}  // namespace revgan::distributed
