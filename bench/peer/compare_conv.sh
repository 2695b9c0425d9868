#!/usr/bin/env bash
# Runs `bench conv` and the PyTorch peer interleaved (ROUNDS rounds each, same thread count)
# and prints the per-case ratio of engine GFLOP/s to PyTorch GFLOP/s (median over rounds).
# usage: bench/peer/compare_conv.sh BUILD_DIR [THREADS] [ROUNDS]
set -euo pipefail
build=${1:?build dir}
threads=${2:-$(nproc)}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp)
for _ in $(seq "$rounds"); do
  OMP_NUM_THREADS=$threads "$build/bench/bench" conv | grep '^{' >> "$out"
  OMP_NUM_THREADS=$threads /usr/bin/python3 "$here/torch_conv.py" >> "$out"
done
/usr/bin/python3 - "$out" <<'PY'
import json, statistics, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
by = collections.defaultdict(list)
for r in rows:
    by[(r["case"], r["pass"], r["engine"])].append(r["gflops"])
print(f"{'case':<26} {'pass':>8} {'revgan GF/s':>12} {'torch GF/s':>11} {'ratio':>6}  threads {rows[0]['threads']}")
for case, p in sorted({(c, p) for c, p, _ in by}):
    a = statistics.median(by[(case, p, "revgan")]); b = statistics.median(by[(case, p, "pytorch")])
    print(f"{case:<26} {p:>8} {a:>12.1f} {b:>11.1f} {a / b:>6.2f}")
PY
rm -f "$out"
