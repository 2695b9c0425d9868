# cmake -P test of cmake/find_cudnn.cmake on fake trees: the wheel layout (libcudnn.so.9, no
# unversioned link), root order, a library given by the user, nothing found, and the discovery of
# site-packages/nvidia/cudnn through a stand-in python. Run by ctest as `cmake:find_cudnn`.
# usage: cmake -DWORK=<empty scratch dir> -P tests/cmake/test_find_cudnn.cmake
cmake_minimum_required(VERSION 3.25)
if(NOT WORK)
  message(FATAL_ERROR "usage: cmake -DWORK=DIR -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
# What project() sets on Linux; script mode has no platform, and find_library needs them to turn
# `cudnn` into libcudnn.so.
set(CMAKE_FIND_LIBRARY_PREFIXES lib)
set(CMAKE_FIND_LIBRARY_SUFFIXES .so .a)
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/find_cudnn.cmake)

file(REMOVE_RECURSE "${WORK}")
set(failures 0)
macro(expect what actual expected)
  if(NOT "${actual}" STREQUAL "${expected}")
    message(SEND_ERROR "FAIL ${what}: got '${actual}', expected '${expected}'")
    math(EXPR failures "${failures} + 1")
  else()
    message(STATUS "ok   ${what}")
  endif()
endmacro()
macro(reset)
  unset(CUDNN_LIBRARY CACHE)
  unset(CUDNN_LIBRARY)
  unset(CUDNN_INCLUDE_DIR CACHE)
  unset(CUDNN_INCLUDE_DIR)
endmacro()
# fake_cudnn(ROOT LIBNAME [INCLUDE]): ROOT/lib/LIBNAME, and ROOT/include/cudnn*.h when INCLUDE.
function(fake_cudnn root libname)
  file(WRITE "${root}/lib/${libname}" "not an ELF file")
  if(ARGN)
    file(WRITE "${root}/include/cudnn.h" "#include \"cudnn_version.h\"\n")
    file(WRITE "${root}/include/cudnn_version.h"
         "#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 7\n#define CUDNN_PATCHLEVEL 1\n")
  endif()
endfunction()

# 1. The wheel layout: only the versioned library.
set(wheel "${WORK}/site-packages/nvidia/cudnn")
fake_cudnn("${wheel}" libcudnn.so.9 INCLUDE)
reset()
revgan_find_cudnn(ROOTS "${wheel}" NO_DEFAULT_PATH)
expect("wheel layout: library" "${CUDNN_LIBRARY}" "${wheel}/lib/libcudnn.so.9")
expect("wheel layout: include dir" "${CUDNN_INCLUDE_DIR}" "${wheel}/include")
expect("wheel layout: version from cudnn_version.h" "${CUDNN_VERSION}" "9.7.1")

# 2. An earlier root wins even when a later one has the unversioned name.
set(toolkit "${WORK}/toolkit")
fake_cudnn("${toolkit}" libcudnn.so INCLUDE)
reset()
revgan_find_cudnn(ROOTS "${wheel}" "${toolkit}" NO_DEFAULT_PATH)
expect("root order: first root's versioned library" "${CUDNN_LIBRARY}" "${wheel}/lib/libcudnn.so.9")
reset()
revgan_find_cudnn(ROOTS "${toolkit}" "${wheel}" NO_DEFAULT_PATH)
expect("root order: first root's unversioned library" "${CUDNN_LIBRARY}" "${toolkit}/lib/libcudnn.so")

# 3. CUDNN_LIBRARY given by the user is kept.
reset()
set(CUDNN_LIBRARY "${WORK}/chosen/libcudnn.so.9" CACHE FILEPATH "")
revgan_find_cudnn(ROOTS "${wheel}" NO_DEFAULT_PATH)
expect("CUDNN_LIBRARY given: kept" "${CUDNN_LIBRARY}" "${WORK}/chosen/libcudnn.so.9")

# 4. Nothing there: NOTFOUND, which cuda.cmake turns into an error under REVGAN_CUDA=ON.
reset()
file(MAKE_DIRECTORY "${WORK}/empty")
revgan_find_cudnn(ROOTS "${WORK}/empty" NO_DEFAULT_PATH)
expect("nothing found: library" "${CUDNN_LIBRARY}" "CUDNN_LIBRARY-NOTFOUND")
expect("nothing found: version" "${CUDNN_VERSION}" "")

# 5. site-packages/nvidia/cudnn is found through the interpreter's site-packages; a second
# site-packages without nvidia/cudnn is left out.
file(WRITE "${WORK}/python3" "#!/bin/sh\necho '${WORK}/site-packages;${WORK}/user-site'\n")
file(CHMOD "${WORK}/python3" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
file(MAKE_DIRECTORY "${WORK}/user-site")
set(REVGAN_PYTHON "${WORK}/python3")
revgan_python_nvidia_dirs(cudnn dirs)
expect("python site-packages: nvidia/cudnn" "${dirs}" "${wheel}")

# 6. CUDNN_ROOT (variable, then environment) comes first among the roots; the wheel is among them.
set(CUDNN_ROOT "${WORK}/root-var")
set(ENV{CUDNN_ROOT} "${WORK}/root-env")
set(CUDAToolkit_INCLUDE_DIRS "${toolkit}/include")
set(CUDAToolkit_LIBRARY_DIR "${toolkit}/lib")
revgan_cudnn_roots(roots)
list(GET roots 0 first)
list(GET roots 1 second)
list(GET roots 2 third)
expect("roots: CUDNN_ROOT first" "${first}" "${WORK}/root-var")
expect("roots: ENV{CUDNN_ROOT} second" "${second}" "${WORK}/root-env")
expect("roots: the toolkit third" "${third}" "${toolkit}")
list(FIND roots "${wheel}" wheel_at)
if(wheel_at LESS 3)
  message(SEND_ERROR "FAIL roots: the wheel folder is missing or before the toolkit: ${roots}")
  math(EXPR failures "${failures} + 1")
endif()

if(failures GREATER 0)
  message(FATAL_ERROR "${failures} check(s) failed")
endif()
message(STATUS "all find_cudnn checks passed")
