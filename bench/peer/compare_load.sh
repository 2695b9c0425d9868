#!/usr/bin/env bash
# Time per training step idle and next to one CPU-bound process (`yes`), interleaved: in every
# round the engine with --cpu_threads fixed, the engine with --cpu_threads adaptive and the
# PyTorch peer run idle, then `yes` starts, the three run again, and `yes` stops. Prints the
# medians over rounds of each run's median step, the loaded/idle ratio per side, the engine's
# loaded step against the pooled idle runs of both engine sides, and the mean team size used.
# Same OMP_NUM_THREADS and options for all three; PyTorch has no adaptive mode, so
# --cpu_threads goes to the engine only.
# usage: bench/peer/compare_load.sh BUILD_DIR [THREADS] [ROUNDS] [-- bench train options...]
#   e.g. bench/peer/compare_load.sh build 2 3 -- --model revgan_unpaired --ngf 32 --depth 6 --size 128
# COMPARE_RAW=FILE keeps every JSON line, each with "condition" (idle | loaded) and "side".
# COMPARE_PEER=none leaves PyTorch out (the peer has no 3D models).
# COMPARE_COPIES=1 adds a side "engine_copies": two one-thread engine runs at once (two
# processes, nothing shared), idle and next to `yes`. Their loaded/idle ratio is what the
# machine's sharing leaves independent one-thread work: the floor for a team of THREADS = 2.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/compare_args.sh"
set -- "${rest[@]}"
out=$(mktemp)
load_pid=
cleanup() {
  [[ -n $load_pid ]] && kill "$load_pid" 2> /dev/null
  rm -f "$out"
}
trap cleanup EXIT
# run CONDITION: the three sides once each, every JSON line tagged with condition and side.
run() {
  local condition=$1 policy
  shift
  for policy in fixed adaptive; do
    echo "  engine --cpu_threads $policy" >&2
    OMP_NUM_THREADS=$threads "$build/bench/bench" train "$@" --cpu_threads $policy | grep '^{' |
      sed "s/^{/{\"condition\":\"$condition\",\"side\":\"engine_$policy\",/" >> "$out"
  done
  if [[ ${COMPARE_COPIES:-0} == 1 ]]; then
    echo "  engine, two one-thread copies at once" >&2
    local copy
    copy=$(mktemp)
    OMP_NUM_THREADS=1 "$build/bench/bench" train "$@" | grep '^{' > "$copy" &
    local first=$!
    OMP_NUM_THREADS=1 "$build/bench/bench" train "$@" | grep '^{' |
      sed "s/^{/{\"condition\":\"$condition\",\"side\":\"engine_copies\",/" >> "$out"
    wait "$first"
    sed "s/^{/{\"condition\":\"$condition\",\"side\":\"engine_copies\",/" "$copy" >> "$out"
    rm -f "$copy"
  fi
  [[ ${COMPARE_PEER:-pytorch} == none ]] && return
  echo "  pytorch" >&2
  OMP_NUM_THREADS=$threads /usr/bin/python3 "$here/torch_train_bench.py" "$@" | grep '^{' |
    sed "s/^{/{\"condition\":\"$condition\",\"side\":\"pytorch\",/" >> "$out"
}
for round in $(seq "$rounds"); do
  echo "round $round/$rounds: idle" >&2
  run idle "$@"
  echo "round $round/$rounds: next to yes" >&2
  yes > /dev/null &
  load_pid=$!
  run loaded "$@"
  kill "$load_pid"
  wait "$load_pid" 2> /dev/null || true
  load_pid=
done
[[ -n ${COMPARE_RAW:-} ]] && cp "$out" "$COMPARE_RAW"
/usr/bin/python3 - "$out" <<'PY'
import collections, json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
rows = [r for r in rows if r.get("bench") == "train"]
by = collections.defaultdict(list)
for r in rows:
    by[(r["model"], r["ngf"], r["depth"], r["size"], r["mode"], r["side"], r["condition"])].append(r)
def med(key, field="time_per_sample_s"):
    return statistics.median(r[field] for r in by[key])
print(f"threads {rows[0]['threads']}, medians over rounds of per-run medians (s per sample)")
# Idle, fixed and adaptive run the same team, so their idle runs together give the engine's
# idle median with twice the samples ("vs pooled").
print(f"{'configuration':<34} {'mode':<13} {'side':<16} {'idle s':>8} {'loaded s':>9} {'loaded/idle':>11} "
      f"{'range':>11} {'vs pooled':>9} {'team loaded':>11}")
for c in sorted({k[:5] for k in by}):
    pooled = [r["time_per_sample_s"] for side in ("engine_fixed", "engine_adaptive")
              for r in by.get(c + (side, "idle"), [])]
    for side in ("engine_fixed", "engine_adaptive", "engine_copies", "pytorch"):
        idle, loaded = c + (side, "idle"), c + (side, "loaded")
        if idle not in by or loaded not in by:
            continue
        ratios = [l["time_per_sample_s"] / i["time_per_sample_s"] for i, l in zip(by[idle], by[loaded])]
        team = f"{med(loaded, 'threads_used'):.2f}" if "threads_used" in by[loaded][0] else "-"
        vs_pooled = f"{med(loaded) / statistics.median(pooled):.2f}" if side.startswith("engine_") and side != "engine_copies" else "-"
        name = f"{c[0]} K{c[1]} R{c[2]} {c[3]}px"
        print(f"{name:<34} {c[4]:<13} {side:<16} {med(idle):>8.3f} {med(loaded):>9.3f} "
              f"{med(loaded) / med(idle):>11.2f} {min(ratios):>5.2f}-{max(ratios):<5.2f} {vs_pooled:>9} {team:>11}")
PY
