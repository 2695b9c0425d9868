# Finds cuDNN for the CUDA backend: sets CUDNN_INCLUDE_DIR and CUDNN_LIBRARY (cache entries; give
# either on the command line to choose a file) and CUDNN_VERSION (e.g. 9.19.0, empty if unknown).
# A machine may have cuDNN in the toolkit, under CUDNN_ROOT, or only in PyTorch's wheel layout
# (site-packages/nvidia/cudnn/{include,lib}, where the library is libcudnn.so.9 with no
# unversioned libcudnn.so link), so the search looks for versioned names too. Order: CUDNN_ROOT
# (variable, then environment), the CUDA toolkit, the wheel folders of python3's site-packages,
# then CMake's default paths. Used by cmake/cuda.cmake; tests/cmake/test_find_cudnn.cmake drives
# it on fake trees.
include_guard(GLOBAL)

# Library names, tried in this order in each folder (NAMES_PER_DIR, so that an earlier root wins
# whatever name it has): the unversioned link, then the versioned files.
set(REVGAN_CUDNN_NAMES cudnn libcudnn.so.9 libcudnn.so.10 libcudnn.so.8)

# The nvidia/<component> folders of python3's site-packages (PyTorch's CUDA wheels), existing
# ones only. REVGAN_PYTHON (default: python3 on the PATH) names the interpreter asked.
function(revgan_python_nvidia_dirs component out_var)
  set(dirs)
  if(NOT DEFINED REVGAN_PYTHON)
    find_program(REVGAN_PYTHON NAMES python3)
  endif()
  if(REVGAN_PYTHON)
    execute_process(
      COMMAND "${REVGAN_PYTHON}" -c
              "import site,sys; print(';'.join(site.getsitepackages()+[site.getusersitepackages()]))"
      OUTPUT_VARIABLE site_dirs OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc TIMEOUT 20)
    if(rc EQUAL 0)
      foreach(sp IN LISTS site_dirs)
        if(IS_DIRECTORY "${sp}/nvidia/${component}")
          list(APPEND dirs "${sp}/nvidia/${component}")
        endif()
      endforeach()
    endif()
  endif()
  set(${out_var} "${dirs}" PARENT_SCOPE)
endfunction()

# revgan_find_cudnn(ROOTS dir... [NO_DEFAULT_PATH]): searches each root's include/ and
# lib/, lib64/ (and the root itself) in the order given, then, unless NO_DEFAULT_PATH, CMake's
# default paths. Results already in the cache (given by the user) are kept.
function(revgan_find_cudnn)
  cmake_parse_arguments(arg "NO_DEFAULT_PATH" "" "ROOTS" ${ARGN})
  find_path(CUDNN_INCLUDE_DIR cudnn.h PATHS ${arg_ROOTS} PATH_SUFFIXES include NO_DEFAULT_PATH)
  find_library(CUDNN_LIBRARY NAMES ${REVGAN_CUDNN_NAMES} PATHS ${arg_ROOTS} PATH_SUFFIXES lib lib64 lib/x86_64-linux-gnu
               NAMES_PER_DIR NO_DEFAULT_PATH)
  if(NOT arg_NO_DEFAULT_PATH)
    find_path(CUDNN_INCLUDE_DIR cudnn.h)
    find_library(CUDNN_LIBRARY NAMES ${REVGAN_CUDNN_NAMES} NAMES_PER_DIR)
  endif()
  set(version "")
  foreach(header cudnn_version.h cudnn.h)
    if(CUDNN_INCLUDE_DIR AND EXISTS "${CUDNN_INCLUDE_DIR}/${header}")
      file(STRINGS "${CUDNN_INCLUDE_DIR}/${header}" defines REGEX "^#define CUDNN_(MAJOR|MINOR|PATCHLEVEL) +[0-9]+")
      if(defines)
        foreach(part MAJOR MINOR PATCHLEVEL)
          string(REGEX MATCH "CUDNN_${part} +([0-9]+)" _ "${defines}")
          set(${part} "${CMAKE_MATCH_1}")
        endforeach()
        set(version "${MAJOR}.${MINOR}.${PATCHLEVEL}")
        break()
      endif()
    endif()
  endforeach()
  set(CUDNN_VERSION "${version}" PARENT_SCOPE)
endfunction()

# The roots in search order for this machine (see the header).
function(revgan_cudnn_roots out_var)
  set(roots)
  foreach(root "${CUDNN_ROOT}" "$ENV{CUDNN_ROOT}")
    if(root)
      list(APPEND roots "${root}")
    endif()
  endforeach()
  foreach(dir ${CUDAToolkit_INCLUDE_DIRS} ${CUDAToolkit_LIBRARY_DIR})
    get_filename_component(parent "${dir}" DIRECTORY)
    list(APPEND roots "${parent}")
  endforeach()
  list(APPEND roots /usr/local/cuda)
  revgan_python_nvidia_dirs(cudnn wheel_dirs)
  list(APPEND roots ${wheel_dirs})
  list(REMOVE_DUPLICATES roots)
  set(${out_var} "${roots}" PARENT_SCOPE)
endfunction()
