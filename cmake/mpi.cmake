# Resolves REVGAN_MPI (AUTO/ON/OFF) into REVGAN_WITH_MPI: data-parallel training over Open MPI
# (`mpirun -np N revgan_train ...`). AUTO builds it when MPI's C bindings are found (Debian:
# libopenmpi-dev); ON requires them; OFF (or none found) trains in one process, as before.
# In CUDA builds with MPI, NCCL (from the CUDA installation, NCCL_ROOT, or the PyTorch wheel
# layout nvidia/nccl/{include,lib}) carries the all-reduce of CUDA tensors.
set(REVGAN_WITH_MPI OFF)
if(NOT REVGAN_MPI STREQUAL "OFF")
  find_package(MPI COMPONENTS C QUIET)
  if(MPI_C_FOUND)
    set(REVGAN_WITH_MPI ON)
  elseif(REVGAN_MPI STREQUAL "ON")
    message(FATAL_ERROR "REVGAN_MPI=ON but no MPI C library was found (Debian: apt-get install libopenmpi-dev)")
  endif()
endif()

set(REVGAN_WITH_NCCL OFF)
if(REVGAN_WITH_MPI AND REVGAN_WITH_CUDA AND NOT REVGAN_CUDA_EMULATED)  # the emulator has no NCCL
  find_path(NCCL_INCLUDE_DIR nccl.h HINTS ${NCCL_ROOT} ENV NCCL_ROOT ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda
            PATH_SUFFIXES include)
  find_library(NCCL_LIBRARY NAMES nccl libnccl.so.2 HINTS ${NCCL_ROOT} ENV NCCL_ROOT ${CUDAToolkit_LIBRARY_DIR}
               /usr/local/cuda PATH_SUFFIXES lib lib64)
  if(NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
    set(REVGAN_WITH_NCCL ON)
    add_library(revgan_nccl INTERFACE)
    target_include_directories(revgan_nccl INTERFACE ${NCCL_INCLUDE_DIR})
    target_link_libraries(revgan_nccl INTERFACE ${NCCL_LIBRARY})
  endif()
endif()
