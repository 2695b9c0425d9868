#!/usr/bin/env bash
# Runs `bench train` and the PyTorch peer interleaved (ROUNDS rounds each, the same
# OMP_NUM_THREADS, the same options) and prints, per configuration, engine/torch ratios of the
# median time per sample and of the bytes saved for backward, and each side's
# memory-saving/stored ratio of saved bytes.
# On a loaded machine the fastest step (min) is the steadier figure; both are printed.
# usage: bench/peer/compare_train.sh BUILD_DIR [THREADS] [ROUNDS] [-- bench train options...]
#   e.g. bench/peer/compare_train.sh build 2 3 -- --preset table2 --model revgan_unpaired --size 64
# COMPARE_RAW=FILE keeps every JSON line of every round.
# COMPARE_CPU_CONV="onednn im2col" runs the engine once per listed CPU convolution backend in
# each round (REVGAN_CPU_CONV), labelled revgan_<backend>; default: the build's default backend.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/compare_args.sh"
set -- "${rest[@]}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
[[ -n ${COMPARE_RAW:-} ]] && : > "$COMPARE_RAW"
for round in $(seq "$rounds"); do
  if [[ -z ${COMPARE_CPU_CONV:-} ]]; then
    echo "round $round/$rounds: engine" >&2
    OMP_NUM_THREADS=$threads "$build/bench/bench" train "$@" | grep '^{' >> "$out"
  fi
  for backend in ${COMPARE_CPU_CONV:-}; do
    echo "round $round/$rounds: engine, $backend convolutions" >&2
    REVGAN_CPU_CONV=$backend OMP_NUM_THREADS=$threads "$build/bench/bench" train "$@" | grep '^{' |
      sed "s/\"engine\":\"revgan\"/\"engine\":\"revgan_$backend\"/" >> "$out"
  done
  echo "round $round/$rounds: pytorch" >&2
  OMP_NUM_THREADS=$threads /usr/bin/python3 "$here/torch_train_bench.py" "$@" >> "$out"
done
[[ -n ${COMPARE_RAW:-} ]] && cp "$out" "$COMPARE_RAW"
/usr/bin/python3 - "$out" <<'PY'
import collections, json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
rows = [r for r in rows if r.get("bench") == "train"]
by = collections.defaultdict(list)
for r in rows:
    by[(r["model"], r["ngf"], r["depth"], r["size"], r["mode"], r["engine"])].append(r)
def med(key, field):
    return statistics.median(r[field] for r in by[key])
def best(key):
    return min(r["time_min_s"] for r in by[key])
configs = sorted({k[:5] for k in by})
print(f"threads {rows[0]['threads']}, {len(set(r['engine'] for r in rows))} engines, "
      f"medians over rounds of per-run medians")
engines = sorted({k[5] for k in by} - {"pytorch"})
print(f"{'configuration':<36} {'mode':<13} {'engine':<14} {'revgan s':>9} {'torch s':>9} {'time e/t':>8} "
      f"{'min e/t':>8} {'revgan MB':>10} {'torch MB':>9} {'saved e/t':>9}")
for c in configs:
    for eng in engines:
        e, t = c + (eng,), c + ("pytorch",)
        if e not in by or t not in by:
            continue
        te, tt = med(e, "time_per_sample_s"), med(t, "time_per_sample_s")
        se, st = med(e, "saved_bytes"), med(t, "saved_bytes")
        name = f"{c[0]} K{c[1]} R{c[2]} {c[3]}px"
        print(f"{name:<36} {c[4]:<13} {eng:<14} {te:>9.4f} {tt:>9.4f} {te / tt:>8.2f} {best(e) / best(t):>8.2f} "
              f"{se / 2**20:>10.2f} {st / 2**20:>9.2f} "
              f"{se / st:>9.3f}")
print()
print(f"{'configuration':<36} {'engine':<8} {'saved ms/st':>14} {'time ms/st':>13} {'min ms/st':>12}")
for c in sorted({k[:4] for k in by}):
    for eng in engines + ["pytorch"]:
        n, s = c + ("stored", eng), c + ("memory_saving", eng)
        if n in by and s in by:
            name = f"{c[0]} K{c[1]} R{c[2]} {c[3]}px"
            print(f"{name:<36} {eng:<8} {med(s, 'saved_bytes') / med(n, 'saved_bytes'):>14.3f} "
                  f"{med(s, 'time_per_sample_s') / med(n, 'time_per_sample_s'):>13.3f} {best(s) / best(n):>12.3f}")
PY
