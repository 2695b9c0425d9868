#!/usr/bin/env python3
"""tools/gpu_kit/summarize.py on a made-up work folder: three benchmark rounds per side for one
configuration and one round for another, and one engine row under the lean cuDNN workspace
policy, paired with the same PyTorch rows; each side's figures are the medians over its rounds,
the spread their fastest and slowest, the ratios those of the medians; summary.md shows them.
usage: test_summarize.py SOURCE_DIR"""
import json
import os
import subprocess
import sys
import tempfile

source = sys.argv[1]
summarize = os.path.join(source, "tools/gpu_kit/summarize.py")
problems = []


def row(engine, mode, seconds, peak, workspace=None, policy=None):
    r = {"bench": "train", "engine": engine, "model": "revgan_paired", "ngf": 32, "depth": 6, "size": 128, "mode": mode,
         "time_per_sample_s": seconds, "peak_activation_bytes": peak, "saved_bytes": peak // 2, "peak_total_bytes": 2 * peak}
    if workspace is not None:
        r["peak_cudnn_workspace_bytes"] = workspace
    if policy is not None:
        r["cudnn_workspace"] = policy
    return json.dumps(r) + "\n"


with tempfile.TemporaryDirectory() as tmp:
    work, out = os.path.join(tmp, "work"), os.path.join(tmp, "out")
    os.makedirs(work)
    os.makedirs(out)
    mib = 2**20
    with open(os.path.join(work, "bench-table2.jsonl"), "w") as f:  # rounds 1, 2, 3 as gpu_check.sh gathers them
        for s, ws in ((0.030, 8), (0.050, 10), (0.031, 9)):
            f.write(row("revgan", "stored", s, 70 * mib, ws * mib))
        f.write(row("revgan", "memory_saving", 0.040, 60 * mib, 20 * mib))
        f.write(row("revgan", "stored", 0.048, 64 * mib, 1 * mib, "lean"))
    with open(os.path.join(work, "peer-table2.jsonl"), "w") as f:
        for s in (0.064, 0.060, 0.090):
            f.write(row("pytorch", "stored", s, 80 * mib))
        f.write(row("pytorch", "memory_saving", 0.080, 50 * mib))
    with open(os.path.join(work, "rounds.tsv"), "w") as f:
        f.write("3\t3\n")
    manifest = os.path.join(tmp, "manifest.json")
    with open(manifest, "w") as f:
        json.dump({"git_commit": "test"}, f)
    subprocess.run([sys.executable, summarize, work, out, "pass", manifest, "1"], check=True)
    s = json.load(open(os.path.join(out, "summary.json")))
    md = open(os.path.join(out, "summary.md")).read()

rows = {(r["mode"], r.get("cudnn_workspace")): r for r in s["comparisons"]["Table 2 (128x128)"]}
st = rows.get(("stored", None), {})
expect = {"engine_s_per_sample": 0.031, "engine_s_per_sample_min": 0.030, "engine_s_per_sample_max": 0.050,
          "engine_rounds": 3, "torch_s_per_sample": 0.064, "torch_rounds": 3, "time_ratio": round(0.031 / 0.064, 3),
          "engine_peak_cudnn_workspace_bytes": 9 * 2**20, "peak_activation_ratio": round(70 / 80, 3)}
for k, v in expect.items():
    if st.get(k) != v:
        problems.append(f"stored {k}: {st.get(k)}, expected {v}")
lean = rows.get(("stored", "lean"), {})
if lean.get("engine_rounds") != 1 or lean.get("time_ratio") != 0.75 or lean.get("engine_peak_cudnn_workspace_bytes") != mib:
    problems.append(f"lean row, paired with the same PyTorch rows: {lean}")
ms = rows.get(("memory_saving", None), {})
if ms.get("engine_rounds") != 1 or ms.get("time_ratio") != 0.5 or ms.get("peak_activation_ratio") != 1.2:
    problems.append(f"memory_saving row: {ms}")
if s.get("benchmark_rounds") != {"run": 3, "asked": 3}:
    problems.append(f"benchmark_rounds: {s.get('benchmark_rounds')}")
for text in ("| 0.03100 (0.03000-0.05000) | 0.06400 (0.06000-0.09000) | 0.48 | 70.0 (9.0) |",
             "| 0.04000 | 0.08000 | 0.50 | 60.0 (20.0) |", "| stored, lean ws | 0.04800 | 0.06400 (0.06000-0.09000) | 0.75 |",
             "Medians over 3 interleaved round(s)"):
    if text not in md:
        problems.append(f"summary.md lacks {text!r}")
for p in problems:
    print("FAIL:", p)
print("ok" if not problems else f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)
