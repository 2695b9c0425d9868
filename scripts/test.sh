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
# ctest runs `jobs` test processes at once; each gets one OpenMP thread unless told otherwise,
# so the cores are not oversubscribed (spinning OpenMP barriers slow down badly when they are).
# Tests that check thread-count independence set their thread counts themselves.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
