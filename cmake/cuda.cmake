# Resolves REVGAN_CUDA (AUTO/ON/OFF/EMULATE) into REVGAN_WITH_CUDA (and REVGAN_CUDA_EMULATED)
# and provides revgan_cuda_libs, what CUDA code links: the runtime, cuBLAS and cuDNN of the
# toolkit, or the host emulator standing in for all three. AUTO turns the real backend on when
# nvcc and cuDNN are both present; ON fails loudly if not; EMULATE needs no toolkit at all.
set(REVGAN_WITH_CUDA OFF)
set(REVGAN_CUDA_EMULATED OFF)
if(NOT REVGAN_CUDA MATCHES "^(AUTO|ON|OFF|EMULATE)$")
  message(FATAL_ERROR "REVGAN_CUDA must be AUTO, ON, OFF or EMULATE, got '${REVGAN_CUDA}'")
endif()
if(REVGAN_CUDA STREQUAL "EMULATE")
  set(REVGAN_WITH_CUDA ON)
  set(REVGAN_CUDA_EMULATED ON)
  # The emulator (emulator/CMakeLists.txt) defines revgan_cuda_libs.
elseif(NOT REVGAN_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  check_language(CUDA)
  find_package(CUDAToolkit QUIET)
  find_path(CUDNN_INCLUDE_DIR cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS} /usr/local/cuda/include)
  find_library(CUDNN_LIBRARY cudnn HINTS ${CUDAToolkit_LIBRARY_DIR} /usr/local/cuda/lib64)
  if(CMAKE_CUDA_COMPILER AND CUDAToolkit_FOUND AND CUDNN_INCLUDE_DIR AND CUDNN_LIBRARY)
    set(REVGAN_WITH_CUDA ON)
  elseif(REVGAN_CUDA STREQUAL "ON")
    message(FATAL_ERROR "REVGAN_CUDA=ON but nvcc (${CMAKE_CUDA_COMPILER}), the CUDA toolkit or cuDNN "
                        "(${CUDNN_INCLUDE_DIR}, ${CUDNN_LIBRARY}) was not found")
  endif()
endif()

if(REVGAN_WITH_CUDA AND NOT REVGAN_CUDA_EMULATED)
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    # sm_80 and sm_90 as real code, plus PTX for newer GPUs.
    set(CMAKE_CUDA_ARCHITECTURES 80-real 90)
  endif()
  # CMake 3.25 does not know nvcc 13's C++20 dialect flag; CUDA sources (kernels/cuda only,
  # raw buffers, no engine headers) are C++17, the engine's host code stays C++20.
  set(CMAKE_CUDA_STANDARD 17)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  enable_language(CUDA)
  add_library(revgan_cudnn INTERFACE)
  target_include_directories(revgan_cudnn INTERFACE ${CUDNN_INCLUDE_DIR})
  target_link_libraries(revgan_cudnn INTERFACE ${CUDNN_LIBRARY})
  add_library(revgan_cuda_libs INTERFACE)
  target_link_libraries(revgan_cuda_libs INTERFACE CUDA::cudart CUDA::cublas revgan_cudnn)
endif()
