#!/usr/bin/env bash
# The test command: installs what is missing, then configures, builds and tests (ctest) three
# configurations, one after the other:
#   default  build/          Release; the CUDA backend when nvcc and cuDNN are present (AUTO).
#                            Without a GPU its cuda: tests report skipped (exit 77).
#   emulate  build-emulate/  Release with REVGAN_CUDA=EMULATE: the same CUDA sources run on the
#                            host emulator (emulator/), so every cuda: test runs and must pass,
#                            along with the emulator's own tests (emulator:, mutants included).
#                            Only those two test programs are built: the CPU tests are the
#                            default configuration's.
#   asan     build-asan/     the emulated CUDA suite (cuda: and emulator: tests) under
#                            AddressSanitizer, each tensor in its own emulated allocation
#                            (REVGAN_CUDA_NO_CACHING=1), so an out-of-bounds device access is
#                            reported. The two tests that run bench and revgan_train as programs
#                            (cuda tools:) run in the emulate configuration only (minutes under
#                            ASan, for code the other tests already run).
# REVGAN_TEST_CONFIGS picks configurations (default: "default emulate asan"); REVGAN_BUILD_DIR
# renames build/; REVGAN_CMAKE_ARGS adds arguments to every configure.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${REVGAN_JOBS:-$(nproc)}
configs=${REVGAN_TEST_CONFIGS:-default emulate asan}

scripts/install_deps.sh
# ctest runs `jobs` test processes at once; each gets one OpenMP thread unless told otherwise,
# so the cores are not oversubscribed. Tests that check thread-count independence set their
# thread counts themselves. OpenMP's wait policy is left to its default.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

run_config() {
  local name=$1 dir=$2
  shift 2
  local start=$SECONDS
  echo "== ${name}: configure and build in ${dir}"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${REVGAN_CMAKE_ARGS:-} "$@"
  if [ "$name" = default ]; then
    cmake --build "$dir" -j "$jobs"
    echo "== ${name}: test"
    ctest --test-dir "$dir" --output-on-failure -j "$jobs"
  else
    cmake --build "$dir" -j "$jobs" --target test_cuda test_emulator
    echo "== ${name}: test"
    if [ "$name" = asan ]; then
      REVGAN_CUDA_NO_CACHING=1 ctest --test-dir "$dir" --output-on-failure -j "$jobs" -R '^(cuda|emulator):' \
        -E '^cuda:cuda tools:'
    else
      ctest --test-dir "$dir" --output-on-failure -j "$jobs" -R '^(cuda|emulator):'
    fi
  fi
  echo "== ${name}: done in $((SECONDS - start)) s"
}

for config in $configs; do
  case $config in
    default) run_config default "${REVGAN_BUILD_DIR:-build}" ;;
    emulate) run_config emulate build-emulate -DREVGAN_CUDA=EMULATE ;;
    asan) run_config asan build-asan -DREVGAN_CUDA=EMULATE -DREVGAN_SANITIZE=address ;;
    *) echo "scripts/test.sh: unknown configuration '$config' (default, emulate, asan)" >&2; exit 2 ;;
  esac
done
