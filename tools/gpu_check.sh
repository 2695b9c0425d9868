#!/usr/bin/env bash
# The GPU check, run from a GPU kit (built by tools/gpu_bundle.sh, which copies this script to
# KIT/gpu_check.sh) on a machine with an NVIDIA GPU. It builds nothing. A preflight prints what
# it found: the GPU and driver, the cuBLAS/cuDNN/NCCL it will use (tools/gpu_kit/cuda_libs.sh),
# whether every kit binary loads, whether the CUDA runtime sees a device, whether
# compute-sanitizer can attach. Then stages, each under its own time limit inside one budget,
# each with a recorded outcome (pass, fail, timeout, not-run, skipped):
#   cuda-tests   every test_cuda case as its own process (4 at a time); JUnit in the tarball
#   memcheck     compute-sanitizer memcheck on the float32 parity cases
#   racecheck    compute-sanitizer racecheck on one multi-block reduction case
#                (both "not-run" when the sanitizer is missing or cannot attach, never "fail")
#   bench-table2 / peer-table2   bench train --preset table2 (128x128, both executors) on the GPU,
#                and the PyTorch peer (peer/torch_train_bench.py) for the same rows
#   bench-depth / peer-depth     the depth sweep (--preset table4 --size 128), both engines;
#                the four run in interleaved rounds (REVGAN_GPU_CHECK_ROUNDS), medians reported
#   train / infer  a short paired training run on the kit's dataset, then inference; throughput
# OUT receives summary.md, summary.json (engine/PyTorch ratios included) and gpu_check.tar.gz
# (every log, JSON line, the JUnit report); the summary is rewritten after every stage.
#
# usage: KIT/gpu_check.sh OUT
# environment: REVGAN_GPU_CHECK_BUDGET (seconds for everything, default 480),
#   REVGAN_GPU_CHECK_ROUNDS (benchmark rounds, default 3; later rounds only as the budget allows),
#   REVGAN_KIT_PYTHON (python with PyTorch, default python3), REVGAN_KIT_CUDA_LIB_DIRS (folders searched first),
#   REVGAN_GPU_CHECK_ALLOW_NO_GPU=1 (run the stages even without a GPU, to test this script:
#   they then fail, and the check exits 1).
# exit status: 0 every stage passed (the sanitizer stages may be "not-run"); 1 a stage failed;
#   2 usage (or not run from a kit); 3 no usable GPU (no GPU, or the CUDA runtime finds none,
#   e.g. the driver is too old); 4 the kit cannot run here (a CUDA library or a glibc/libstdc++
#   version is missing); 5 incomplete: no failure, but a stage timed out or the budget ran out.
set -uo pipefail

if [[ $# -ne 1 || $1 == -h || $1 == --help ]]; then
  sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
  exit 2
fi
kit=$(cd "$(dirname "$0")" && pwd)
if [[ ! -f $kit/manifest.json || ! -f $kit/payload.tar.gz ]]; then
  echo "gpu_check: $kit is not a GPU kit; build one with tools/gpu_bundle.sh DIR and run DIR/gpu_check.sh" >&2
  exit 2
fi
mkdir -p "$1" || exit 2
out=$(cd "$1" && pwd)
start=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/revgan-gpu-check.XXXXXX")
# The binaries and their libraries travel compressed; unpacked next to the work folder (not
# inside it: the work folder becomes the tarball).
unpacked=$(mktemp -d "${TMPDIR:-/tmp}/revgan-gpu-kit.XXXXXX")
if ! tar -xzf "$kit/payload.tar.gz" -C "$unpacked"; then
  echo "gpu_check: cannot unpack $kit/payload.tar.gz" >&2
  exit 4
fi
kit_bin=$unpacked/bin
deadline=$((start + ${REVGAN_GPU_CHECK_BUDGET:-480}))
python=${REVGAN_KIT_PYTHON:-python3}
# Python (the PyTorch peer, the summary) runs in the environment it was given: the library path
# set below is for the kit's binaries, and the kit's Debian libraries (libz, libssl, libffi, ...)
# or the toolkit's cuBLAS must not replace what python and PyTorch load.
if [[ -n ${LD_LIBRARY_PATH+x} ]]; then
  py=(env LD_LIBRARY_PATH="$LD_LIBRARY_PATH" "$python")
else
  py=(env -u LD_LIBRARY_PATH "$python")
fi
exec > >(tee -a "$work/console.log") 2>&1
# shellcheck source=tools/gpu_kit/cuda_libs.sh
source "$kit/gpu_kit/cuda_libs.sh"

log() { printf '%s gpu_check: %s\n' "$(date +%H:%M:%S)" "$*"; }
fact() { printf '%s\t%s\n' "$1" "$2" >> "$work/facts.tsv"; printf '  %-22s %s\n' "$1" "$2"; }
summarize() {  # OVERALL
  "${py[@]}" "$kit/gpu_kit/summarize.py" "$work" "$out" "$1" "$kit/manifest.json" "$(($(date +%s) - start))" \
    2> "$work/summarize.err" && return
  # No python: the stage table alone.
  { echo "# GPU check: $1 (summary without python: $(head -c 200 "$work/summarize.err"))"; cat "$work/stages.tsv"; } \
    > "$out/summary.md"
  printf '{"overall": "%s", "summary_error": "python failed"}\n' "$1" > "$out/summary.json"
}
record() {  # NAME STATUS SECONDS DETAIL
  [[ $2 == skipped ]] && set -- "$1" "$2" "$3" "not started: the time budget is spent"
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4//$'\t'/ }" >> "$work/stages.tsv"
  log "$1: $2 in ${3}s${4:+ ($4)}"
  summarize running
}
finish() {  # EXIT_CODE OVERALL
  summarize "$2"
  tar -czf "$out/gpu_check.tar.gz" -C "$work" . 2> /dev/null
  log "$2 (exit $1): $out/summary.md, summary.json, gpu_check.tar.gz"
  rm -rf "$work" "$unpacked"
  exit "$1"
}
# Seconds for a stage that wants WANT; 0 when under 15 s of the budget are left (10 are kept to
# write the summary and the tarball).
time_for() {
  local left=$((deadline - $(date +%s) - 10))
  if ((left < 5)); then echo 0; elif ((left < $1)); then echo "$left"; else echo "$1"; fi
}
# run_stage NAME WANT COMMAND...: output in WORK/NAME.log; sets rc (124 timeout, 125 no time
# left) and secs.
run_stage() {
  local name=$1 limit t0
  limit=$(time_for "$2")
  shift 2
  if ((limit == 0)); then
    rc=125 secs=0
    return
  fi
  log "$name: running (limit ${limit}s)"
  t0=$(date +%s)
  timeout -k 10 "$limit" "$@" > "$work/$name.log" 2>&1
  rc=$?
  secs=$(($(date +%s) - t0))
}
# The first line of LOG that reads like an error, shortened (for a stage's detail).
first_error() { grep -m1 -iE 'error|failed|not available' "$1" 2> /dev/null | head -c 200; }
# A common outcome for rc: pass, timeout, skipped (budget) or fail.
outcome() { case $rc in 0) echo pass ;; 124 | 137) echo timeout ;; 125) echo skipped ;; *) echo fail ;; esac; }
touch "$work/stages.tsv" "$work/facts.tsv"

# --- preflight --------------------------------------------------------------------------------
log "preflight (kit $(grep -o '"git_commit": "[^"]*"' "$kit/manifest.json" | cut -d'"' -f4))"
fact host "$(uname -n) $(uname -r), $(nproc) CPUs, $(getconf GNU_LIBC_VERSION 2> /dev/null)"
manifest_value() { grep -o "\"$1\": \"[^\"]*\"" "$kit/manifest.json" | head -n 1 | cut -d'"' -f4; }
fact "kit built with" "CUDA $(manifest_value cuda_toolkit), cuDNN $(manifest_value cudnn) (an older cuDNN 9 on the device is not guaranteed to work)"
have_gpu=0
if command -v nvidia-smi > /dev/null 2>&1 &&
  smi=$(timeout 30 nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1) &&
  [[ -n $smi ]]; then
  have_gpu=1
  fact gpu "$(head -n 1 <<< "$smi")"
  timeout 30 nvidia-smi > "$work/nvidia-smi.txt" 2>&1
else
  fact gpu "none (nvidia-smi: $(command -v nvidia-smi > /dev/null && head -c 200 <<< "${smi:-no output}" || echo not found))"
fi

mapfile -t needed < "$kit/gpu_kit/cuda_libs.txt"
kit_cuda_lib_dirs > "$work/cuda_lib_dirs.txt"
for soname in "${needed[@]}"; do
  if path=$(kit_find_lib "$soname" "$work/cuda_lib_dirs.txt"); then
    if [[ $soname == libcudnn.* ]]; then version=$(kit_cudnn_version "$path"); else version=$(kit_lib_version "$path"); fi
    fact "$soname" "$path${version:+ (version $version)}"
  else
    fact "$soname" "MISSING"
  fi
done
cuda_path=$(kit_library_path "${needed[@]}" 2> /dev/null)
export LD_LIBRARY_PATH="$unpacked/lib${cuda_path:+:$cuda_path}"
fact LD_LIBRARY_PATH "$LD_LIBRARY_PATH"
# Every kit binary must load: CUDA libraries found, glibc/libstdc++ new enough. test_cuda is the
# one the check cannot do without (load_errors); the others fail their own stages.
unloadable=""
for b in "$kit_bin"/*; do
  errors=$(ldd "$b" 2>&1 | grep 'not found' | sed 's/^[[:space:]]*//' | sort -u | head -n 5 | paste -sd';' -)
  [[ -n $errors ]] && unloadable+="${unloadable:+; }$(basename "$b"): $errors"
  [[ -n $errors && $(basename "$b") == test_cuda ]] && load_errors=$errors
done
load_errors=${load_errors:-}
fact "binaries load" "${unloadable:-yes}"

probe_case='cuda: tensors round-trip through device memory with accounting'
runtime=none  # usable | none (the runtime finds no device) | error (the probe itself failed)
if [[ -n $load_errors ]]; then
  fact "CUDA runtime" "not probed: test_cuda does not load"
else
  timeout 60 "$kit_bin/test_cuda" "$probe_case" > "$work/runtime-probe.log" 2>&1
  probe_rc=$?
  case $probe_rc in
    0) runtime=usable && fact "CUDA runtime" "sees a usable device" ;;
    77) fact "CUDA runtime" "no usable device: $(grep -m1 SKIPPED "$work/runtime-probe.log" | sed 's/^SKIPPED: //')" ;;
    *)
      runtime=error
      fact "CUDA runtime" "probe failed (exit $probe_rc): $(tail -n 3 "$work/runtime-probe.log" | tr '\n' ' ')"
      ;;
  esac
fi

torch_info=$(timeout 45 "${py[@]}" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda, "available" if torch.cuda.is_available() else "not available")' 2>&1 | tail -n 1)
fact "PyTorch ($python)" "${torch_info:-no answer}"

sanitizer=$(command -v compute-sanitizer || compgen -G '/usr/local/cuda*/bin/compute-sanitizer' | sort -rV | head -n 1)
can_sanitize=0
if [[ -z $sanitizer ]]; then
  san_note="compute-sanitizer not found"
elif [[ $runtime != usable && ${REVGAN_GPU_CHECK_ALLOW_NO_GPU:-0} != 1 ]]; then
  san_note="$sanitizer not probed: no usable device"
else
  timeout 60 "$sanitizer" --tool memcheck --error-exitcode 99 "$kit_bin/test_cuda" "$probe_case" \
    > "$work/sanitizer-probe.log" 2>&1
  san_rc=$?
  if ((san_rc == 0)); then
    can_sanitize=1
    san_note="$sanitizer attaches"
  elif ((san_rc == 99)) && grep -qE 'ERROR SUMMARY: [1-9]' "$work/sanitizer-probe.log"; then
    # It attached and found errors in the probe case: the memcheck stage reports them.
    can_sanitize=1
    san_note="$sanitizer attaches (and reports errors in the probe case)"
  else
    san_note="$sanitizer cannot attach (exit $san_rc: $(grep -m1 -iE 'error|not supported' \
      "$work/sanitizer-probe.log" | head -c 200))"
  fi
fi
fact compute-sanitizer "$san_note"
gpu_facts=$(awk -F'\t' '$1 == "gpu" || $1 == "CUDA runtime" {print $2}' "$work/facts.tsv" | paste -sd';' -)
# What to do: the CUDA runtime's answer decides (a container may lack nvidia-smi and still have a
# GPU); a probe that failed otherwise goes on where nvidia-smi sees a GPU, so that the stages
# show what fails.
if [[ -n $load_errors ]]; then
  verdict=no-gpu
  ((have_gpu)) && verdict="kit-unusable"
elif [[ $runtime == usable ]]; then
  verdict=go
elif [[ $runtime == error ]] && ((have_gpu)); then
  verdict=go
else
  verdict=no-gpu
fi
if [[ $verdict != go && ${REVGAN_GPU_CHECK_ALLOW_NO_GPU:-0} == 1 && -z $load_errors ]]; then
  log "no usable GPU, but REVGAN_GPU_CHECK_ALLOW_NO_GPU=1: running the stages anyway (they cannot pass)"
  verdict=forced
fi
case $verdict in go) pre=pass ;; kit-unusable) pre=fail ;; *) pre=no-gpu ;; esac
[[ $runtime == error ]] && pre=fail
record preflight "$pre" "$(($(date +%s) - start))" "$gpu_facts"

not_run_all() {  # REASON
  local s
  for s in cuda-tests memcheck racecheck bench-table2 peer-table2 bench-depth peer-depth train infer; do
    printf '%s\tnot-run\t0\t%s\n' "$s" "$1" >> "$work/stages.tsv"
  done
}
if [[ $verdict == no-gpu ]]; then
  log "NO USABLE GPU: $gpu_facts"
  not_run_all "no usable GPU"
  finish 3 no-gpu
fi
if [[ $verdict == kit-unusable ]]; then
  log "THE KIT CANNOT RUN HERE: $load_errors"
  not_run_all "the kit's binaries do not load"
  finish 4 kit-unusable
fi
# --- stages -----------------------------------------------------------------------------------
export OMP_NUM_THREADS=4 OMP_WAIT_POLICY=passive
export REVGAN_BENCH=$kit_bin/bench REVGAN_TRAIN=$kit_bin/revgan_train
failed=0
incomplete=0
fail_if() {
  [[ $1 == fail ]] && failed=1
  [[ $1 == timeout || $1 == skipped ]] && incomplete=1
  return 0
}

# CUDA tests: one process per case, as ctest runs them; the two-device cases skip on one GPU.
"$kit_bin/test_cuda" --list-test-names-only 2> /dev/null | sed '/^$/d' > "$work/cuda-test-names.txt"
run_case() {  # INDEX NAME LIMIT
  local t0 spec
  t0=$(date +%s)
  # Catch2's test-spec escapes: a comma or bracket in a name would otherwise split the spec.
  # shellcheck disable=SC2001
  spec=$(sed 's/[][,\\]/\\&/g' <<< "$2")
  timeout -k 5 "$3" "$kit_bin/test_cuda" "$spec" > "$work/cuda-tests/$1.log" 2>&1
  local rc=$?
  # Catch2 exits 0 when the name matches no case; that is no pass.
  grep -q 'No test cases matched' "$work/cuda-tests/$1.log" && rc=2
  printf '%s\t%s\t%s\n' "$rc" "$(($(date +%s) - t0))" "$2" > "$work/cuda-tests/$1.rc"
}
mkdir -p "$work/cuda-tests"
limit=$(time_for 170)
t0=$(date +%s)
log "cuda-tests: $(wc -l < "$work/cuda-test-names.txt") cases, 4 at a time (limit ${limit}s)"
i=0
pids=()
# Counts the cases still running (a plain `wait` would also wait for the console's tee).
running() {
  local n=0 p
  for p in "${pids[@]}"; do kill -0 "$p" 2> /dev/null && n=$((n + 1)); done
  echo "$n"
}
while IFS= read -r name; do
  while (($(running) >= 4)); do sleep 0.2; done
  left=$((t0 + limit - $(date +%s)))
  ((left > 5)) || left=5
  run_case "$i" "$name" "$((left < 150 ? left : 150))" &
  pids+=("$!")
  i=$((i + 1))
done < "$work/cuda-test-names.txt"
((${#pids[@]} == 0)) || wait "${pids[@]}"
cat "$work"/cuda-tests/*.rc > "$work/cuda-tests.tsv" 2> /dev/null
count() { awk -F'\t' "$1" "$work/cuda-tests.tsv" | wc -l; }
# shellcheck disable=SC2016  # awk programs
passed=$(count '$1 == 0') timed_out=$(count '$1 == 124 || $1 == 137') skipped=$(count '$1 == 77')
# shellcheck disable=SC2016
failed_cases=$(count '$1 != 0 && $1 != 77 && $1 != 124 && $1 != 137')
two_dev=$(grep -l 'needs two CUDA devices' "$work"/cuda-tests/*.log 2> /dev/null | wc -l)
status=pass
# Only the two-device cases may skip on a one-GPU machine.
((failed_cases + timed_out > 0 || skipped > two_dev || passed == 0)) && status=fail
fail_if $status
record cuda-tests $status "$(($(date +%s) - t0))" "$i cases: $passed passed, $failed_cases failed, $timed_out timed out, \
$((skipped - two_dev)) skipped for want of a device, $two_dev skipped (two devices needed)"

# compute-sanitizer: caching off, so an overrun into a neighbouring cached block is seen.
sanitize() {  # NAME TOOL WANT TEST-ARGS...
  local name=$1 tool=$2 want=$3
  shift 3
  if ((!can_sanitize)); then
    record "$name" not-run 0 "$san_note"
    return
  fi
  run_stage "$name" "$want" env REVGAN_CUDA_NO_CACHING=1 REVGAN_PARITY_DTYPES=float32 "$sanitizer" --tool "$tool" \
    --error-exitcode 99 --print-limit 100 "$kit_bin/test_cuda" "$@" -r xml -o "$work/$name-catch.xml"
  local summary sections status
  summary=$(grep -E '(ERROR|RACECHECK) SUMMARY' "$work/$name.log" | tail -n 1 | sed 's/^=* *//')
  sections=$(grep -c '<Section name=' "$work/$name-catch.xml" 2> /dev/null)
  status=$(outcome)
  [[ $status == pass && ${sections:-0} -eq 0 ]] && status=fail summary="no test section ran"
  fail_if "$status"
  record "$name" "$status" "$secs" "${summary:-no sanitizer summary}; ${sections:-0} test sections; exit $rc"
}
sanitize memcheck memcheck 100 "[parity]"
sanitize racecheck racecheck 45 "cuda parity: sums and losses" -c "sum [4, 8, 131, 129] float32"

# bench train on the GPU and the PyTorch peer, the same rows and steps, in interleaved rounds
# (engine, peer, engine, peer for Table 2, then for the depth sweep, in every round; the engine's
# Table 2 twice, under REVGAN_CUDNN_WORKSPACE=fastest and =lean); each round
# writes its own JSON lines, gathered in WORK/{bench,peer}-SUFFIX.jsonl, and the summary takes
# each row's median over the rounds. Round 1 always runs; a later round only after rounds that
# all passed and when the budget still holds 1.2 times round 1's duration plus 60 s for the
# train and infer stages.
pair_suffixes=(table2 depth)
declare -A pair_args=([table2]="--preset table2 --size 128 --mode both" [depth]="--preset table4 --size 128 --mode both")
declare -A side_status side_secs side_rows side_err
bench_side() {  # SIDE(bench|peer) SUFFIX ROUND [cuDNN WORKSPACE POLICY]
  local side=$1 suffix=$2 round=$3 policy=${4:-fastest} name="$1-$2" json lines status
  json=$work/$name.r$round${4:+.$4}.jsonl
  # shellcheck disable=SC2086  # pair_args holds words
  if [[ $side == bench ]]; then
    run_stage "$name.r$round${4:+.$4}" 70 env REVGAN_CUDNN_WORKSPACE="$policy" "$kit_bin/bench" train --device cuda --warmup 2 \
      --steps 5 ${pair_args[$suffix]} --json "$json"
    lines=$(grep -c '"bench":"train"' "$json" 2> /dev/null)
  else
    run_stage "$name.r$round" 70 "${py[@]}" "$kit/peer/torch_train_bench.py" --device cuda --warmup 2 --steps 5 \
      ${pair_args[$suffix]} --json "$json"
    lines=$(grep -c '"bench": "train"' "$json" 2> /dev/null)
  fi
  [[ -f $json ]] && cat "$json" >> "$work/$name.jsonl"
  status=$(outcome)
  [[ $status == pass && ${lines:-0} -eq 0 ]] && status=fail
  # The worst outcome over the rounds stands for the side.
  case "${side_status[$name]:-pass} $status" in
    *fail*) side_status[$name]=fail ;;
    *timeout*) side_status[$name]=timeout ;;
    *skipped*) side_status[$name]=skipped ;;
    *) side_status[$name]=pass ;;
  esac
  side_secs[$name]=$((${side_secs[$name]:-0} + secs))
  side_rows[$name]="${side_rows[$name]:+${side_rows[$name]}/}${lines:-0}"
  [[ -z ${side_err[$name]:-} ]] && side_err[$name]=$(first_error "$work/$name.r$round${4:+.$4}.log")
  return 0
}
rounds=${REVGAN_GPU_CHECK_ROUNDS:-3}
[[ $rounds =~ ^[1-9][0-9]?$ ]] || { log "REVGAN_GPU_CHECK_ROUNDS=$rounds is not a count from 1 to 99; using 3"; rounds=3; }
rounds_run=0
for ((round = 1; round <= rounds; round++)); do
  if ((round > 1)); then
    if [[ " ${side_status[*]} " =~ \ (fail|timeout|skipped)\  ]]; then
      log "benchmark rounds: stopping after round $rounds_run, which did not pass"
      break
    fi
    left=$((deadline - $(date +%s) - 10))
    round_needs=$(((round_one_secs * 12 + 9) / 10 + 60))
    if ((left < round_needs)); then
      log "benchmark rounds: stopping after $rounds_run of $rounds (${left}s left, a round needs about ${round_needs}s)"
      break
    fi
  fi
  t0=$(date +%s)
  for suffix in "${pair_suffixes[@]}"; do
    bench_side bench "$suffix" "$round"
    # Table 2 also under the lean cuDNN workspace policy: what its memory saving costs in time.
    [[ $suffix == table2 ]] && bench_side bench "$suffix" "$round" lean
    bench_side peer "$suffix" "$round"
  done
  rounds_run=$round
  ((round == 1)) && round_one_secs=$(($(date +%s) - t0))
done
for suffix in "${pair_suffixes[@]}"; do
  for side in bench peer; do
    name=$side-$suffix
    fail_if "${side_status[$name]}"
    record "$name" "${side_status[$name]}" "${side_secs[$name]}" \
      "$rounds_run of $rounds rounds, rows per round ${side_rows[$name]}; ${side_err[$name]}"
  done
done
printf '%s\t%s\n' "$rounds_run" "$rounds" > "$work/rounds.tsv"

# A short paired training run on the kit's data, then inference; throughput from the logs.
data=$kit/data/demo
run_stage train 60 "$kit_bin/revgan_train" --dataroot "$data" --name gpu --checkpoints_dir "$work/checkpoints" \
  --model revgan_paired --ngf 32 --depth 6 --ndf 64 --n_epochs 1 --n_epochs_decay 0 --preprocess none --seed 1 \
  --device cuda --print_freq 50 --display_freq 100000 --save_epoch_freq 100
status=$(outcome)
fail_if "$status"
speed=$(grep -o '[0-9.]* it/s' "$work/train.log" | tail -n 1)
record train "$status" "$secs" "${speed:+$speed at the last report (batch 1); }exit $rc; $(first_error "$work/train.log")"
if [[ -f $work/checkpoints/gpu/latest.h5 ]]; then
  images=$(find "$data/test" -type f | wc -l)
  run_stage infer 30 "$kit_bin/revgan_infer" --checkpoint "$work/checkpoints/gpu/latest.h5" --direction AtoB \
    --input "$data/test" --input_part A --output "$work/infer" --device cuda --batch 10 --quiet
  status=$(outcome)
  written=$(find "$work/infer" -type f 2> /dev/null | wc -l)
  [[ $status == pass && $written -ne $images ]] && status=fail
  fail_if "$status"
  # revgan_infer reports its own time for the translation ("... in 0.42 s"), start-up excluded.
  rate=$(sed -n 's/^revgan_infer: translated \([0-9]*\) image.* in \([0-9.]*\) s$/\1 \2/p' "$work/infer.log" |
    awk '$2 > 0 {printf "%.1f images/s (%d in %s s, batch 10)", $1 / $2, $1, $2}')
  record infer "$status" "$secs" "$written of $images images written; ${rate:-no timing line}; exit $rc; $(first_error "$work/infer.log")"
  rm -rf "$work/infer" "$work/checkpoints"
else
  record infer not-run 0 "no checkpoint from the train stage"
fi

if ((failed)); then finish 1 fail; fi
if ((incomplete)); then finish 5 incomplete; fi
finish 0 pass
