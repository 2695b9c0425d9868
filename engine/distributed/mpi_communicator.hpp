// The MPI group (Open MPI): host collectives through MPI; CUDA tensors through NCCL in builds
// that have it (else staged through host memory). Built only with REVGAN_WITH_MPI.
#pragma once

#include <memory>

#include "engine/distributed/communicator.hpp"

namespace revgan::distributed {

// Initialises MPI (thread level FUNNELED: only the main thread calls MPI) unless it already is;
// MPI is finalised when the returned object is destroyed.
std::unique_ptr<Communicator> make_mpi_communicator(int* argc, char*** argv);

}  // namespace revgan::distributed
