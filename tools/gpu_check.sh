#!/usr/bin/env bash
# GPU check of the CUDA backend, for a machine with an NVIDIA GPU: a Release CUDA build, the
# CUDA test suite, compute-sanitizer (memcheck on the op parity cases, racecheck on the
# block reductions) and the bench presets on CUDA where `bench train --device cuda` works.
# Logs, a JUnit report and summary.json go to OUTDIR. Every stage runs under `timeout` within
# one overall budget (default 570 s, so the whole check ends inside 10 minutes).
#
# usage: tools/gpu_check.sh OUTDIR
# environment: REVGAN_GPU_BUILD_DIR (default build-gpu), REVGAN_JOBS (default nproc),
#   REVGAN_CUDA_ARCHS (default native, falling back to 90), REVGAN_GPU_CHECK_BUDGET (seconds),
#   REVGAN_GPU_CHECK_ALLOW_NO_GPU=1 to run the stages anyway on a machine without a GPU
#   (CUDA tests then skip; useful only to test this script).
# exit status: 0 all stages passed; 1 a stage failed (a CUDA test, a sanitizer error, the
#   build); 2 usage; 3 no GPU present.
set -uo pipefail

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1" || exit 2
out=$(cd "$1" && pwd)
build=${REVGAN_GPU_BUILD_DIR:-$root/build-gpu}
jobs=${REVGAN_JOBS:-$(nproc)}
archs=${REVGAN_CUDA_ARCHS:-native}
budget=${REVGAN_GPU_CHECK_BUDGET:-570}
start=$(date +%s)
deadline=$((start + budget))

stages_json=()
failed=0
gpu_name=""

log() { printf '%s gpu_check: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

json_escape() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1" 2>/dev/null || printf '"%s"' "$1"; }

# record NAME STATUS SECONDS DETAIL
record() {
  stages_json+=("{\"name\": $(json_escape "$1"), \"status\": $(json_escape "$2"), \"seconds\": $3, \"log\": $(json_escape "$out/$1.log"), \"detail\": $(json_escape "$4")}")
  log "$1: $2${4:+ ($4)} in ${3}s"
}

write_summary() {
  local overall=$1
  {
    printf '{\n  "overall": %s,\n  "gpu": %s,\n  "build_dir": %s,\n  "seconds": %s,\n  "stages": [\n' \
      "$(json_escape "$overall")" "$(json_escape "$gpu_name")" "$(json_escape "$build")" "$(($(date +%s) - start))"
    local i
    for i in "${!stages_json[@]}"; do
      printf '    %s%s\n' "${stages_json[$i]}" "$([[ $i -lt $((${#stages_json[@]} - 1)) ]] && echo ,)"
    done
    printf '  ]\n}\n'
  } > "$out/summary.json"
}

# Seconds left for a stage that would like `want` seconds; 0 when the budget is spent.
time_for() {
  local want=$1 left=$((deadline - $(date +%s)))
  if ((left < 10)); then echo 0; elif ((left < want)); then echo "$left"; else echo "$want"; fi
}

# run_stage NAME WANT_SECONDS COMMAND...: runs under timeout, output to OUT/NAME.log; sets
# stage_rc (124 on timeout) and stage_seconds.
run_stage() {
  local name=$1 want=$2
  shift 2
  local limit
  limit=$(time_for "$want")
  if ((limit == 0)); then
    stage_rc=125
    stage_seconds=0
    echo "skipped: time budget spent" > "$out/$name.log"
    return
  fi
  log "$name: running (limit ${limit}s): $*"
  local t0
  t0=$(date +%s)
  timeout --kill-after=10 "$limit" "$@" > "$out/$name.log" 2>&1
  stage_rc=$?
  stage_seconds=$(($(date +%s) - t0))
}

finish() {
  if ((failed)); then
    write_summary fail
    log "FAILED: see $out/summary.json and the stage logs"
    exit 1
  fi
  write_summary pass
  log "all stages passed; summary in $out/summary.json"
  exit 0
}

# --- GPU probe -----------------------------------------------------------------------------
have_gpu=0
if command -v nvidia-smi > /dev/null 2>&1; then
  run_stage gpu 30 nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv,noheader
  if ((stage_rc == 0)) && grep -q '[A-Za-z]' "$out/gpu.log"; then
    have_gpu=1
    gpu_name=$(head -n 1 "$out/gpu.log")
    timeout 30 nvidia-smi > "$out/nvidia-smi.txt" 2>&1
  fi
else
  echo "nvidia-smi not found" > "$out/gpu.log"
fi
if ((!have_gpu)); then
  gpu_name="none"
  log "NO GPU PRESENT: nvidia-smi found no usable NVIDIA GPU (see $out/gpu.log); the CUDA tests cannot run here"
  record gpu "no-gpu" 0 "no usable NVIDIA GPU"
  if [[ ${REVGAN_GPU_CHECK_ALLOW_NO_GPU:-0} != 1 ]]; then
    write_summary no-gpu
    exit 3
  fi
else
  record gpu pass 0 "$gpu_name"
fi

# --- configure and build -------------------------------------------------------------------
cmake_args=(-S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DREVGAN_CUDA=ON)
run_stage configure 120 cmake "${cmake_args[@]}" -DCMAKE_CUDA_ARCHITECTURES="$archs"
if ((stage_rc != 0)) && [[ $archs == native ]]; then
  mv "$out/configure.log" "$out/configure-native.log"
  log "configure with CMAKE_CUDA_ARCHITECTURES=native failed; retrying with 90"
  rm -f "$build/CMakeCache.txt"
  run_stage configure 90 cmake "${cmake_args[@]}" -DCMAKE_CUDA_ARCHITECTURES=90
fi
if ((stage_rc != 0)); then
  record configure fail "$stage_seconds" "cmake exit $stage_rc"
  failed=1
  finish
fi
record configure pass "$stage_seconds" "CUDA architectures from $(grep -m1 '^CMAKE_CUDA_ARCHITECTURES' "$build/CMakeCache.txt" | cut -d= -f2)"

run_stage build 300 cmake --build "$build" --target test_cuda bench -j "$jobs"
if ((stage_rc != 0)); then
  record build fail "$stage_seconds" "$([[ $stage_rc == 124 ]] && echo timeout || echo "exit $stage_rc")"
  failed=1
  finish
fi
record build pass "$stage_seconds" "test_cuda and bench"

# --- CUDA tests ------------------------------------------------------------------------------
run_stage cuda-tests 180 ctest --test-dir "$build" -R '^cuda:' --output-on-failure --timeout 170 -j 4 \
  --output-junit "$out/cuda-tests.xml"
tests_line=$(grep -E 'tests passed|tests failed' "$out/cuda-tests.log" | tail -n 1)
skipped=$(grep -c '(Skipped)' "$out/cuda-tests.log")
if ((stage_rc != 0)); then
  record cuda-tests fail "$stage_seconds" "$([[ $stage_rc == 124 ]] && echo "timeout; " )${tests_line:-no ctest summary}"
  failed=1
elif ((have_gpu && skipped > 0)); then
  record cuda-tests fail "$stage_seconds" "$skipped CUDA tests skipped although a GPU is present: the device is not usable"
  failed=1
elif [[ -z $tests_line ]] || grep -q 'No tests were found' "$out/cuda-tests.log"; then
  record cuda-tests fail "$stage_seconds" "no CUDA tests found (was the build configured with the CUDA backend?)"
  failed=1
else
  record cuda-tests pass "$stage_seconds" "$tests_line; $skipped skipped"
fi

# --- compute-sanitizer -------------------------------------------------------------------------
sanitizer=$(command -v compute-sanitizer || true)
[[ -z $sanitizer && -x /usr/local/cuda/bin/compute-sanitizer ]] && sanitizer=/usr/local/cuda/bin/compute-sanitizer
test_bin="$build/tests/test_cuda"
# sanitize NAME TOOL WANT_SECONDS CATCH_SPEC
sanitize() {
  local name=$1 tool=$2 want=$3 spec=$4
  if [[ -z $sanitizer ]]; then
    echo "compute-sanitizer not found" > "$out/$name.log"
    record "$name" "not-run" 0 "compute-sanitizer not found"
    ((have_gpu)) && log "WARNING: compute-sanitizer not found (PATH, /usr/local/cuda/bin): $name not run"
    return
  fi
  # Caching off: inside a cached segment an overrun into a neighbouring block goes unseen.
  run_stage "$name" "$want" env REVGAN_CUDA_NO_CACHING=1 "$sanitizer" --tool "$tool" --error-exitcode 99 \
    --print-limit 100 "$test_bin" "$spec"
  local summary
  summary=$(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$out/$name.log" | tail -n 1)
  if ((stage_rc == 124)); then
    # Unfinished is not a finding; say so loudly, but only errors fail the check.
    record "$name" timeout "$stage_seconds" "did not finish; ${summary:-no summary yet}"
    log "WARNING: $name did not finish within its time limit"
  elif ((stage_rc == 125)); then
    record "$name" skipped 0 "time budget spent"
  elif ((stage_rc != 0)); then
    record "$name" fail "$stage_seconds" "exit $stage_rc; ${summary:-see log}"
    failed=1
  else
    record "$name" pass "$stage_seconds" "${summary:-clean}"
  fi
}
if [[ -x $test_bin ]]; then
  sanitize memcheck memcheck 150 '[parity]'
  sanitize racecheck racecheck 60 'cuda parity: instance norm,cuda parity: sums and losses'
fi

# --- bench presets on CUDA -------------------------------------------------------------------------
bench_bin="$build/bench/bench"
if [[ ! -x $bench_bin ]]; then
  record bench not-run 0 "no bench binary"
else
  run_stage bench-small 90 "$bench_bin" train --preset small --device cuda --json "$out/bench-small.json"
  if grep -qiE 'not supported|unknown option|usage:' "$out/bench-small.log" && ((stage_rc != 0)); then
    record bench-small unsupported "$stage_seconds" "bench train --device cuda is not implemented in this build; CPU-only bench not run here"
  elif ((stage_rc == 0)); then
    record bench-small pass "$stage_seconds" "$out/bench-small.json"
    for preset in table2 table3 table4 3d; do
      run_stage "bench-$preset" 120 "$bench_bin" train --preset "$preset" --device cuda --json "$out/bench-$preset.json"
      case $stage_rc in
        0) record "bench-$preset" pass "$stage_seconds" "$out/bench-$preset.json" ;;
        124) record "bench-$preset" timeout "$stage_seconds" "did not finish within its time limit" ;;
        125) record "bench-$preset" skipped 0 "time budget spent" ;;
        *)
          record "bench-$preset" fail "$stage_seconds" "exit $stage_rc"
          failed=1
          ;;
      esac
    done
  else
    record bench-small fail "$stage_seconds" "$([[ $stage_rc == 124 ]] && echo timeout || echo "exit $stage_rc")"
    failed=1
  fi
fi

finish
