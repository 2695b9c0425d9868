#!/usr/bin/env bash
# The test command: installs what is missing, configures a Release build (CUDA when nvcc and
# cuDNN are present), builds everything and runs every test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${REVGAN_BUILD_DIR:-build}
jobs=${REVGAN_JOBS:-$(nproc)}

scripts/install_deps.sh
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${REVGAN_CMAKE_ARGS:-}
cmake --build "$build_dir" -j "$jobs"
# Kernels share the cores between OpenMP and OpenBLAS; passive waiting keeps idle OpenMP
# workers from spinning against OpenBLAS's.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
