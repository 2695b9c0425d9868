# OpenBLAS for CPU GEMM. Debian's OpenMP build is preferred: it shares the OpenMP thread pool
# with our own kernels, where the pthread build's threads and spinning OpenMP workers fight
# over the cores. The library's folder goes into the build RPATH so the OpenMP build is the
# one loaded whatever the system alternative points to.
set(REVGAN_OPENBLAS_OPENMP_DIR /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp)
find_library(REVGAN_OPENBLAS_LIBRARY openblas PATHS ${REVGAN_OPENBLAS_OPENMP_DIR} NO_DEFAULT_PATH)
find_path(REVGAN_OPENBLAS_INCLUDE cblas.h PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp
          NO_DEFAULT_PATH)
add_library(revgan_openblas INTERFACE)
if(REVGAN_OPENBLAS_LIBRARY AND REVGAN_OPENBLAS_INCLUDE)
  message(STATUS "revgan: OpenBLAS (OpenMP build) ${REVGAN_OPENBLAS_LIBRARY}")
  target_include_directories(revgan_openblas INTERFACE ${REVGAN_OPENBLAS_INCLUDE})
  target_link_libraries(revgan_openblas INTERFACE ${REVGAN_OPENBLAS_LIBRARY})
  target_link_options(revgan_openblas INTERFACE "-Wl,-rpath,${REVGAN_OPENBLAS_OPENMP_DIR}")
else()
  pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
  message(STATUS "revgan: OpenBLAS (pkg-config) ${OPENBLAS_LINK_LIBRARIES}")
  target_link_libraries(revgan_openblas INTERFACE PkgConfig::OPENBLAS)
endif()
