#!/usr/bin/env bash
# ctest `gpukit:cuda library search`: the GPU kit's search for cuBLAS/cuDNN/NCCL
# (tools/gpu_kit/cuda_libs.sh) on a fake device: a toolkit with cuBLAS only, and a site-packages
# shaped like PyTorch 2.11's CUDA 13 wheels (nvidia/cu13/lib with cuBLAS and nvrtc,
# nvidia/cudnn/lib with only libcudnn.so.9, nvidia/nccl/lib), found through a stand-in python.
# usage: tests/gpukit/test_cuda_libs.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tools/gpu_kit/cuda_libs.sh
source "$root/tools/gpu_kit/cuda_libs.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
expect() {  # WHAT ACTUAL EXPECTED
  if [[ $2 == "$3" ]]; then
    echo "ok   $1"
  else
    echo "FAIL $1: got '$2', expected '$3'"
    failures=$((failures + 1))
  fi
}

sp=$tmp/site-packages
mkdir -p "$tmp/cuda-13.0/lib64" "$sp/nvidia/cu13/lib" "$sp/nvidia/cudnn/lib" "$sp/nvidia/cudnn/include" \
  "$sp/nvidia/nccl/lib" "$sp/torch/lib" "$tmp/other-site"
touch "$tmp/cuda-13.0/lib64/libcublas.so.13" "$tmp/cuda-13.0/lib64/libcublasLt.so.13"
touch "$sp/nvidia/cu13/lib/libcublas.so.13" "$sp/nvidia/cu13/lib/libcublasLt.so.13" "$sp/nvidia/cu13/lib/libnvrtc.so.13"
touch "$sp/nvidia/cudnn/lib/libcudnn.so.9.13.0" "$sp/nvidia/nccl/lib/libnccl.so.2"
ln -s libcudnn.so.9.13.0 "$sp/nvidia/cudnn/lib/libcudnn.so.9"
printf '#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 13\n#define CUDNN_PATCHLEVEL 0\n' > "$sp/nvidia/cudnn/include/cudnn_version.h"
# A stand-in python that reports two site-packages folders, whatever it is asked.
printf '#!/bin/sh\necho %s\necho %s\n' "$sp" "$tmp/other-site" > "$tmp/python3"
chmod +x "$tmp/python3"

export REVGAN_KIT_CUDA_ROOTS=$tmp/cuda-13.0 REVGAN_KIT_PYTHON=$tmp/python3 REVGAN_KIT_NO_LDCONFIG=1
unset REVGAN_KIT_SITE_PACKAGES REVGAN_KIT_CUDA_LIB_DIRS

expect "site-packages come from the kit's python" "$(kit_site_packages | paste -sd' ' -)" "$sp $tmp/other-site"
expect "candidate folders: toolkit first, then every wheel lib folder" "$(kit_cuda_lib_dirs | paste -sd' ' -)" \
  "$tmp/cuda-13.0/lib64 $sp/nvidia/cu13/lib $sp/nvidia/cudnn/lib $sp/nvidia/nccl/lib"
expect "cuBLAS: the toolkit's is preferred" "$(kit_find_lib libcublas.so.13)" "$tmp/cuda-13.0/lib64/libcublas.so.13"
expect "cuDNN: only in the wheel, versioned name" "$(kit_find_lib libcudnn.so.9)" "$sp/nvidia/cudnn/lib/libcudnn.so.9"
expect "NCCL: in the wheel" "$(kit_find_lib libnccl.so.2)" "$sp/nvidia/nccl/lib/libnccl.so.2"
expect "cuDNN version from the wheel's header" "$(kit_cudnn_version "$sp/nvidia/cudnn/lib/libcudnn.so.9")" "9.13.0"
rm "$sp/nvidia/cudnn/include/cudnn_version.h"
expect "cuDNN version from the file name" "$(kit_cudnn_version "$sp/nvidia/cudnn/lib/libcudnn.so.9")" "9.13.0"

rc=0
kit_find_lib libcudnn_missing.so.9 > /dev/null || rc=$?
expect "a library found nowhere: status 1" "$rc" "1"

path=$(kit_library_path libcudnn.so.9 libcublas.so.13 libnccl.so.2)
expect "library path: found folders in the order asked, then the other candidates" "$path" \
  "$sp/nvidia/cudnn/lib:$tmp/cuda-13.0/lib64:$sp/nvidia/nccl/lib:$sp/nvidia/cu13/lib"
rc=0
missing=$(kit_library_path libcublas.so.13 libnotthere.so.1 2>&1 > /dev/null) || rc=$?
expect "library path: a missing library is named and fails" "$rc:$missing" "1:missing: libnotthere.so.1"

# Without the toolkit, cuBLAS comes from the wheel; an explicit folder list wins over both.
export REVGAN_KIT_CUDA_ROOTS=$tmp/no-such-toolkit
expect "no toolkit: cuBLAS from the wheel" "$(kit_find_lib libcublas.so.13)" "$sp/nvidia/cu13/lib/libcublas.so.13"
mkdir -p "$tmp/mine" && touch "$tmp/mine/libcublas.so.13"
expect "REVGAN_KIT_CUDA_LIB_DIRS first" "$(REVGAN_KIT_CUDA_LIB_DIRS=$tmp/mine kit_find_lib libcublas.so.13)" \
  "$tmp/mine/libcublas.so.13"
# REVGAN_KIT_SITE_PACKAGES replaces the python query (an empty value: no site-packages at all).
expect "REVGAN_KIT_SITE_PACKAGES empty: no wheel folders" "$(REVGAN_KIT_SITE_PACKAGES='' kit_cuda_lib_dirs | wc -l)" "0"

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all cuda library search checks passed"
