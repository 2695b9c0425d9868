#!/usr/bin/env bash
# ctest `cmake:a CUDA configure takes cuDNN from a wheel layout`: configures the whole project
# (REVGAN_CUDA=ON, no tests, no MPI) with CUDNN_ROOT pointing at a fake
# site-packages/nvidia/cudnn that has only libcudnn.so.9 and headers of version 9.7.1, and checks
# that cmake/cuda.cmake took cuDNN from there and said so. Configure only: nothing is built or
# linked against the fake library. Skips (77) without nvcc.
# usage: tests/cmake/test_cuda_cmake_wheel.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v nvcc > /dev/null 2>&1 && [[ ! -x /usr/local/cuda/bin/nvcc ]]; then
  echo "SKIPPED: no nvcc, so REVGAN_CUDA=ON cannot configure here"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wheel=$tmp/site-packages/nvidia/cudnn
mkdir -p "$wheel/lib" "$wheel/include"
echo "not an ELF file" > "$wheel/lib/libcudnn.so.9"
echo '#include "cudnn_version.h"' > "$wheel/include/cudnn.h"
printf '#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 7\n#define CUDNN_PATCHLEVEL 1\n' > "$wheel/include/cudnn_version.h"

log=$tmp/configure.log
cmake -S "$root" -B "$tmp/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DREVGAN_CUDA=ON -DREVGAN_MPI=OFF \
  -DREVGAN_BUILD_TESTS=OFF -DCUDNN_ROOT="$wheel" > "$log" 2>&1 || {
  cat "$log"
  echo "FAIL the configure failed"
  exit 1
}
grep 'revgan:' "$log"
status=0
grep -qF "revgan: cuDNN 9.7.1: $wheel/lib/libcudnn.so.9" "$log" || { echo "FAIL no 'revgan: cuDNN 9.7.1' line for the wheel"; status=1; }
grep -qxF "CUDNN_LIBRARY:FILEPATH=$wheel/lib/libcudnn.so.9" "$tmp/build/CMakeCache.txt" ||
  { echo "FAIL CUDNN_LIBRARY is $(grep '^CUDNN_LIBRARY:' "$tmp/build/CMakeCache.txt")"; status=1; }
grep -qxF "CUDNN_INCLUDE_DIR:PATH=$wheel/include" "$tmp/build/CMakeCache.txt" ||
  { echo "FAIL CUDNN_INCLUDE_DIR is $(grep '^CUDNN_INCLUDE_DIR:' "$tmp/build/CMakeCache.txt")"; status=1; }
grep -q 'revgan: CUDA backend ON' "$log" || { echo "FAIL the CUDA backend is not on"; status=1; }
((status == 0)) && echo "ok   cuDNN came from the wheel layout"
exit $status
