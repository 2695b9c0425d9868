#!/usr/bin/env bash
# Thread scaling against what the machine allows, for the engine and the PyTorch peer side by
# side. In every round each side runs the same training step three ways: one thread alone, two
# threads, and two one-thread copies at once (two processes, no shared work, no barriers). The
# copies measure the machine's ceiling for two threads: if two independent copies each run at
# 1/c of one copy's speed, no two-thread step of that work can be faster than 2/c of the
# one-thread step (shared caches, memory bandwidth and the hypervisor all show up there).
# Prints per side the medians over rounds of each run's median step, the 1 -> 2 thread factor,
# the ceiling 2 * t(one) / t(copy) and the factor as a share of the ceiling.
# usage: bench/peer/compare_scaling.sh BUILD_DIR [ROUNDS] [-- bench train options...]
#   e.g. bench/peer/compare_scaling.sh build 3 -- --model revgan_unpaired --ngf 32 --depth 6 --size 128
# COMPARE_RAW=FILE keeps every JSON line, each with "setting" (one | two | copy) and "side".
# COMPARE_PEER=none leaves PyTorch out.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?build dir}
shift
rounds=3
if [[ $# -gt 0 && $1 != -- ]]; then rounds=$1; shift; fi
[[ $# -gt 0 && $1 == -- ]] && shift
out=$(mktemp)
copies=()
trap 'rm -f "$out" "${copies[@]}"' EXIT
# one_run SIDE THREADS: one timed run of SIDE with THREADS threads, its JSON lines on stdout.
one_run() {
  local side=$1 threads=$2
  shift 2
  if [[ $side == engine ]]; then
    OMP_NUM_THREADS=$threads "$build/bench/bench" train "$@" | grep '^{' || true
  else
    OMP_NUM_THREADS=$threads /usr/bin/python3 "$here/torch_train_bench.py" "$@" | grep '^{' || true
  fi
}
# tag SIDE SETTING: prefixes each JSON line with the side and setting it came from.
tag() { sed "s/^{/{\"side\":\"$1\",\"setting\":\"$2\",/"; }
sides=(engine)
[[ ${COMPARE_PEER:-pytorch} != none ]] && sides+=(pytorch)
for round in $(seq "$rounds"); do
  for side in "${sides[@]}"; do
    echo "round $round/$rounds: $side, one thread" >&2
    one_run "$side" 1 "$@" | tag "$side" one >> "$out"
    echo "round $round/$rounds: $side, two threads" >&2
    one_run "$side" 2 "$@" | tag "$side" two >> "$out"
    echo "round $round/$rounds: $side, two one-thread copies at once" >&2
    copies=("$(mktemp)" "$(mktemp)")
    one_run "$side" 1 "$@" > "${copies[0]}" &
    first=$!
    one_run "$side" 1 "$@" > "${copies[1]}"
    wait "$first"
    cat "${copies[@]}" | tag "$side" copy >> "$out"
    rm -f "${copies[@]}"
    copies=()
  done
done
[[ -n ${COMPARE_RAW:-} ]] && cp "$out" "$COMPARE_RAW"
/usr/bin/python3 - "$out" <<'PY'
import collections, json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
rows = [r for r in rows if r.get("bench") == "train"]
by = collections.defaultdict(list)
for r in rows:
    by[(r["model"], r["ngf"], r["depth"], r["size"], r["mode"], r["side"], r["setting"])].append(
        r["time_per_sample_s"])
print("medians over rounds of per-run medians (s per sample); copy: each of two one-thread "
      "copies at once")
print(f"{'configuration':<32} {'mode':<13} {'side':<8} {'one':>7} {'two':>7} {'copy':>7} "
      f"{'1->2':>6} {'ceiling':>8} {'share':>6}")
for c in sorted({k[:6] for k in by}):
    if not all(c + (s,) in by for s in ("one", "two", "copy")):
        continue
    one, two, copy = (statistics.median(by[c + (s,)]) for s in ("one", "two", "copy"))
    factor, ceiling = one / two, 2 * one / copy
    name = f"{c[0]} K{c[1]} R{c[2]} {c[3]}px"
    print(f"{name:<32} {c[4]:<13} {c[5]:<8} {one:>7.3f} {two:>7.3f} {copy:>7.3f} "
          f"{factor:>5.2f}x {ceiling:>7.2f}x {factor / ceiling:>6.2f}")
    print(f"{'':<32} {'':<13} {'':<8} rounds one {', '.join(f'{t:.3f}' for t in by[c + ('one',)])}"
          f"; two {', '.join(f'{t:.3f}' for t in by[c + ('two',)])}"
          f"; copy {', '.join(f'{t:.3f}' for t in by[c + ('copy',)])}")
PY
