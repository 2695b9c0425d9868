# shellcheck shell=bash disable=SC2034  # bin, device, configure_log are for the sourcing script
# Sourced by scripts/demo.sh and scripts/demo3d.sh: phase timing, the build of the tools a demo
# runs, and the device choice. Expects `set -euo pipefail` and the repository root as the
# working directory; `demo_name` names the demo in its messages.
: "${demo_name:?set demo_name before sourcing scripts/demo_common.sh}"
build_dir=${REVGAN_BUILD_DIR:-build}
jobs=${REVGAN_JOBS:-$(nproc)}

start=$(date +%s)
phase_start=$start
timings=()
phase_done() {  # name: records the seconds since the previous phase ended
  local now
  now=$(date +%s)
  timings+=("$1: $((now - phase_start)) s")
  echo "revgan ${demo_name}: $1 done in $((now - phase_start)) s"
  phase_start=$now
}

# Adds the seconds since the demo started to the timings, as "total".
record_total_time() {
  timings+=("total: $(($(date +%s) - start)) s")
}

# A file's text with &, < and > escaped for the report page.
html_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' "$1"; }

# The phases' times as one line: "build: 12 s, dataset: 3 s, ...".
timings_text() {
  local joined
  joined=$(IFS=,; echo "${timings[*]}")
  echo "${joined//,/, }"
}

# Installs what is missing, configures (Release) and builds the tools; sets configure_log and
# bin (the tools' folder).
build_demo_tools() {
  scripts/install_deps.sh
  # REVGAN_CMAKE_ARGS holds several arguments: split on purpose.
  # shellcheck disable=SC2086
  configure_log=$(cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release ${REVGAN_CMAKE_ARGS:-} 2>&1) || {
    echo "$configure_log" >&2
    exit 1
  }
  echo "$configure_log" | tail -n 3
  cmake --build "$build_dir" -j "$jobs" --target revgan_datagen revgan_train revgan_infer revgan_eval revgan_report
  bin=$build_dir/tools
}

# cuda when nvidia-smi sees a GPU and the build has the CUDA backend, else cpu.
choose_device() {
  device=cpu
  if grep -q "revgan: CUDA backend ON" <<<"$configure_log" && command -v nvidia-smi >/dev/null 2>&1 &&
    nvidia-smi -L >/dev/null 2>&1; then
    device=cuda
  fi
}
