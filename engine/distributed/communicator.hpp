// The process group of data-parallel training: this process's rank among `size` processes, and
// the few collectives training needs. One implementation per transport: a single process (no
// transport: every collective is the identity), Open MPI (process management, host buffers and
// CPU tensors), and NCCL for CUDA tensors in CUDA builds, its unique id exchanged over MPI. No
// home-made transport. Every collective must be called by every rank in the same order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/tensor/tensor.hpp"

namespace revgan::distributed {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // "single process", "MPI (Open MPI 4.1.4)", "MPI + NCCL 2.27.3", ...
  virtual std::string describe() const = 0;

  // Sums `t` (float32 or float64, on any device) over all ranks, in place.
  virtual void all_reduce_sum(Tensor& t) = 0;
  // Sums host doubles over all ranks, in place (loss values for the log, stop flags).
  virtual void all_reduce_sum(std::vector<double>& values) = 0;
  // Copies `root`'s `t` (any device) into every rank's `t`.
  virtual void broadcast(Tensor& t, int root) = 0;
  // Copies `root`'s bytes into every rank's `bytes` (resized to the root's length).
  virtual void broadcast(std::vector<char>& bytes, int root) = 0;
  // Every rank's `bytes`, in rank order, at `root`; other ranks get an empty list.
  virtual std::vector<std::vector<char>> gather(const std::vector<char>& bytes, int root) = 0;
  // Stops every process of the group at once (the tool's last resort after an error on one rank,
  // so the others cannot hang in a collective). Never returns.
  [[noreturn]] virtual void abort(int exit_code) = 0;

  // True if `flag` is true on any rank.
  bool any(bool flag);
};

// The group this process belongs to: MPI's world when the process was started by mpirun (or
// another launcher setting Open MPI's / PMI's environment) in a build with MPI, else a single
// process. Initialised on first use (or by init_world), finalised at exit.
Communicator& world();
// Initialises MPI (when launched by mpirun in an MPI build) before anything else runs; tools call
// it at the start of main. Returns the group.
Communicator& init_world(int& argc, char**& argv);
// This process's index among the group's processes on its machine (Open MPI's, MPICH's or
// Slurm's environment), 0 when none is set: the GPU a rank uses by default.
int local_rank();
// Whether this build can run data-parallel (MPI found at build time).
bool built_with_mpi();

// The number of processes the launcher (mpirun, srun, hydra) started, from its environment
// (OMPI_COMM_WORLD_SIZE, PMI_SIZE); 1 when not started by one.
int launcher_group_size();

}  // namespace revgan::distributed
