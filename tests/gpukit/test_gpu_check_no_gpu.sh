#!/usr/bin/env bash
# ctest `gpukit:gpu_check.sh without a GPU ...` (needs the gpukit_kit fixture's kit): runs the
# kit's gpu_check.sh on this machine twice: as it is (no nvidia-smi on the PATH), and with a
# stand-in nvidia-smi that reports an H200, so that the CUDA runtime's own answer (no device, or a
# driver too old) must be what makes it stop. Each run must complete its preflight (every CUDA
# library the kit needs reported, the binaries loading, the runtime probed), exit 3, print
# "NO USABLE GPU" and leave exactly summary.md, summary.json and gpu_check.tar.gz in OUT, with
# every stage "not-run". A third run forces the stages (REVGAN_GPU_CHECK_ALLOW_NO_GPU=1): all
# recorded (the sanitizer stages through a stand-in compute-sanitizer that logs its calls),
# none passing, exit 1. A fourth, on a copy of the kit whose test_cuda needs a library
# found nowhere, with the stand-in nvidia-smi: exit 4. Skips (77) where a GPU is usable or no
# kit was built.
# usage: tests/gpukit/test_gpu_check_no_gpu.sh KIT_DIR
set -euo pipefail
kit=${1:?usage: test_gpu_check_no_gpu.sh KIT_DIR}
if [[ ! -x $kit/gpu_check.sh ]]; then
  echo "SKIPPED: no kit in $kit (the bundle test skipped or failed)"
  exit 77
fi
if command -v nvidia-smi > /dev/null 2>&1 && nvidia-smi -L > /dev/null 2>&1; then
  echo "SKIPPED: this machine has a GPU; run $kit/gpu_check.sh OUT for the real check"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
check() {  # WHAT STATUS
  if [[ $2 == 0 ]]; then echo "ok   $1"; else echo "FAIL $1"; failures=$((failures + 1)); fi
}

mkdir -p "$tmp/fake-bin"
printf '#!/bin/sh\necho "NVIDIA H200, 580.95.05, 143771 MiB, 9.0"\n' > "$tmp/fake-bin/nvidia-smi"
chmod +x "$tmp/fake-bin/nvidia-smi"

for variant in plain fake-smi; do
  out=$tmp/out-$variant
  path=$PATH
  [[ $variant == fake-smi ]] && path=$tmp/fake-bin:$PATH
  rc=0
  PATH=$path REVGAN_GPU_CHECK_BUDGET=120 "$kit/gpu_check.sh" "$out" > "$tmp/$variant.log" 2>&1 || rc=$?
  sed "s/^/  [$variant] /" "$tmp/$variant.log"
  check "$variant: exit 3 (no usable GPU), got $rc" "$((rc == 3 ? 0 : 1))"
  check "$variant: says NO USABLE GPU" "$(grep -q 'NO USABLE GPU' "$tmp/$variant.log" && echo 0 || echo 1)"
  check "$variant: OUT holds exactly the summary and the tarball" \
    "$([[ $(find "$out" -mindepth 1 -printf "%f\n" | sort | paste -sd" " -) == "gpu_check.tar.gz summary.json summary.md" ]] && echo 0 || echo 1)"
  json_rc=0
  python3 - "$out/summary.json" "$kit/gpu_kit/cuda_libs.txt" "$variant" << 'PY' || json_rc=$?
import json, sys
s = json.load(open(sys.argv[1]))
needed = open(sys.argv[2]).read().split()
variant = sys.argv[3]
p = s["preflight"]
problems = []
def want(cond, what):
    if not cond:
        problems.append(what)
want(s["overall"] == "no-gpu" and s["exit_code"] == 3, f"overall/exit_code: {s['overall']}/{s['exit_code']}")
if variant == "plain":
    want(p.get("gpu", "").startswith("none"), f"gpu fact: {p.get('gpu')}")
else:
    want(p.get("gpu", "").startswith("NVIDIA H200"), f"gpu fact: {p.get('gpu')}")
for lib in needed:
    want(lib in p, f"no preflight line for {lib}")
want(p.get("binaries load") == "yes", f"binaries load: {p.get('binaries load')}")
want(p.get("CUDA runtime", "").startswith("no usable device: "), f"CUDA runtime: {p.get('CUDA runtime')}")
want("LD_LIBRARY_PATH" in p and "compute-sanitizer" in p, "LD_LIBRARY_PATH / compute-sanitizer lines")
stages = {x["name"]: x for x in s["stages"]}
want(stages.get("preflight", {}).get("status") == "no-gpu", f"preflight stage: {stages.get('preflight')}")
rest = ["cuda-tests", "memcheck", "racecheck", "bench-table2", "peer-table2", "bench-depth", "peer-depth", "train", "infer"]
for name in rest:
    x = stages.get(name, {})
    want(x.get("status") == "not-run" and x.get("detail") == "no usable GPU", f"stage {name}: {x}")
for p_ in problems:
    print("   ", p_)
sys.exit(1 if problems else 0)
PY
  check "$variant: summary.json: no-gpu, the preflight's facts, every stage not-run" "$json_rc"
  check "$variant: summary.md names the outcome and the stages" \
    "$(grep -q '^# GPU check: no-gpu' "$out/summary.md" && grep -q '| cuda-tests | not-run |' "$out/summary.md" &&
      echo 0 || echo 1)"
  listing=$(tar -tzf "$out/gpu_check.tar.gz" | sed 's|^\./||' | sort | paste -sd' ' -)
  check "$variant: the tarball holds the console log, facts, stages and the runtime probe" \
    "$([[ " $listing " == *" console.log "* && " $listing " == *" facts.tsv "* && " $listing " == *" stages.tsv "* &&
      " $listing " == *" runtime-probe.log "* ]] && echo 0 || echo 1)"
done

# REVGAN_GPU_CHECK_ALLOW_NO_GPU=1 runs every stage anyway: the stage plumbing runs here, and no
# stage may pass without a device (only the CUDA test case that needs none passes).
# A stand-in compute-sanitizer records how it is called, runs the program and reports no error,
# so that the sanitizer stages run too; they must still not pass (no test section can run).
out=$tmp/out-forced
mkdir -p "$tmp/fake-san"
cat > "$tmp/fake-san/compute-sanitizer" << EOF
#!/usr/bin/env bash
echo "PARITY_DTYPES=\${REVGAN_PARITY_DTYPES-unset} NO_CACHING=\${REVGAN_CUDA_NO_CACHING-unset} \$*" >> "$tmp/sanitizer-calls.txt"
while [[ \$1 == --* ]]; do shift 2; done
"\$@"
echo "========= ERROR SUMMARY: 0 errors"
EOF
chmod +x "$tmp/fake-san/compute-sanitizer"
rc=0
PATH=$tmp/fake-san:$PATH REVGAN_GPU_CHECK_ALLOW_NO_GPU=1 REVGAN_GPU_CHECK_BUDGET=240 "$kit/gpu_check.sh" "$out" \
  > "$tmp/forced.log" 2>&1 || rc=$?
sed "s/^/  [forced] /" "$tmp/forced.log"
check "forced: exit 1 (stages failed), got $rc" "$((rc == 1 ? 0 : 1))"
json_rc=0
python3 - "$out/summary.json" << 'PY' || json_rc=$?
import json, sys
s = json.load(open(sys.argv[1]))
st = {x["name"]: x for x in s["stages"]}
problems = []
if s["overall"] != "fail":
    problems.append(f"overall {s['overall']}")
names = ["cuda-tests", "memcheck", "racecheck", "bench-table2", "peer-table2", "bench-depth", "peer-depth", "train", "infer"]
for n in names:
    if n not in st:
        problems.append(f"stage {n} not recorded")
    elif st[n]["status"] == "pass":
        problems.append(f"stage {n} passed without a GPU: {st[n]}")
tests = s["cuda_tests"]
if len(tests) < 20 or sum(t["rc"] == "77" for t in tests) < len(tests) - 2:
    problems.append(f"cuda tests: {len(tests)} cases, exits {sorted(set(t['rc'] for t in tests))}")
if "skipped for want of a device" not in st.get("cuda-tests", {}).get("detail", ""):
    problems.append(f"cuda-tests detail: {st.get('cuda-tests')}")
for p_ in problems:
    print("   ", p_)
sys.exit(1 if problems else 0)
PY
check "forced: every stage recorded, none passed, the CUDA cases skipped (77)" "$json_rc"
calls=$(cat "$tmp/sanitizer-calls.txt" 2> /dev/null)
while IFS= read -r line; do echo "  [sanitizer call] $line"; done <<< "$calls"
check "forced: memcheck ran on the float32 [parity] cases, caching off" "$(grep -qF \
  'PARITY_DTYPES=float32 NO_CACHING=1 --tool memcheck --error-exitcode 99 --print-limit 100' <<< "$calls" &&
  grep -q 'test_cuda \[parity\] -r xml' <<< "$calls" && echo 0 || echo 1)"
check "forced: racecheck ran on one float32 sum section" "$(grep -qF \
  'test_cuda cuda parity: sums and losses -c sum [4, 8, 131, 129] float32 -r xml' <<< "$calls" && echo 0 || echo 1)"
check "forced: no second benchmark round after a round that failed" "$(grep -qF \
  'benchmark rounds: stopping after round 1, which did not pass' "$tmp/forced.log" && echo 0 || echo 1)"
check "forced: a sanitizer run in which no test section ran fails" "$(grep -qE \
  'memcheck: fail in [0-9]+s \(no test section ran' "$tmp/forced.log" && echo 0 || echo 1)"
listing=$(tar -tzf "$out/gpu_check.tar.gz")
check "forced: the tarball holds the JUnit report" "$(grep -q 'cuda-tests.junit.xml' <<< "$listing" && echo 0 || echo 1)"

# A test_cuda that cannot load (it needs a library found nowhere) on a machine with a GPU (the
# stand-in nvidia-smi): exit 4, the kit cannot run here.
broken=$tmp/broken-kit
cp -r "$kit" "$broken"
mkdir -p "$tmp/payload" "$tmp/fake-lib"
tar -xzf "$broken/payload.tar.gz" -C "$tmp/payload"
printf 'int gone(void) { return 0; }\n' > "$tmp/gone.c"
printf 'int gone(void);\nint main(void) { return gone(); }\n' > "$tmp/main.c"
cc -shared -fPIC -o "$tmp/fake-lib/libgpukitgone.so.1" -Wl,-soname,libgpukitgone.so.1 "$tmp/gone.c"
cc -o "$tmp/payload/bin/test_cuda" "$tmp/main.c" "$tmp/fake-lib/libgpukitgone.so.1"
rm -r "$tmp/fake-lib"
tar -czf "$broken/payload.tar.gz" -C "$tmp/payload" bin lib
rc=0
PATH=$tmp/fake-bin:$PATH "$broken/gpu_check.sh" "$tmp/out-broken" > "$tmp/broken.log" 2>&1 || rc=$?
sed "s/^/  [broken] /" "$tmp/broken.log"
check "broken: exit 4 (the kit cannot run here), got $rc" "$((rc == 4 ? 0 : 1))"
check "broken: names the missing library" "$(grep -q 'THE KIT CANNOT RUN HERE: libgpukitgone.so.1 => not found' \
  "$tmp/broken.log" && echo 0 || echo 1)"
summary=$(cat "$tmp/out-broken/summary.json")
check "broken: summary.json says kit-unusable, exit 4" \
  "$([[ $summary == *'"overall": "kit-unusable"'* && $summary == *'"exit_code": 4'* ]] && echo 0 || echo 1)"

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all no-GPU gpu_check checks passed"
