#!/usr/bin/env python3
"""Writes the GPU check's summary.md and summary.json (into OUT) from what gpu_check.sh left in
WORK: facts.tsv (preflight, key TAB value), stages.tsv (name, status, seconds, detail),
cuda-tests.tsv (exit code, seconds, case name), bench-*.jsonl and peer-*.jsonl (bench train and
the PyTorch peer; one row per configuration and round), rounds.tsv (rounds run, asked). Groups
each side's rows by model, ngf, depth, size and executor (the engine's also by cuDNN workspace
policy, each paired with the same PyTorch row), takes medians over the rounds, and
computes engine/PyTorch ratios of the median time per sample and of peak activation memory.
Also writes WORK/cuda-tests.junit.xml. Standard library only.
usage: summarize.py WORK OUT OVERALL MANIFEST SECONDS"""
import json
import os
import sys
from xml.sax.saxutils import escape, quoteattr

EXIT_MEANING = {"pass": 0, "fail": 1, "no-gpu": 3, "kit-unusable": 4, "incomplete": 5, "running": None}


def read_tsv(path, fields):
    rows = []
    if os.path.exists(path):
        for line in open(path, encoding="utf-8", errors="replace"):
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= len(fields):
                rows.append(dict(zip(fields, parts[: len(fields) - 1] + ["\t".join(parts[len(fields) - 1:])])))
    return rows


def read_jsonl(path):
    rows = []
    if os.path.exists(path):
        for line in open(path, encoding="utf-8", errors="replace"):
            line = line.strip()
            if line.startswith("{"):
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    pass
    return [r for r in rows if r.get("bench") == "train"]


def ratio(a, b):
    return round(a / b, 3) if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b else None


def median(values):
    v = sorted(x for x in values if isinstance(x, (int, float)))
    if not v:
        return None
    m = len(v) // 2
    return v[m] if len(v) % 2 else (v[m - 1] + v[m]) / 2


BASE_KEY = ("model", "ngf", "depth", "size", "mode")


def by_key(rows, fields):
    """Rows of one side grouped by configuration (`fields`), in the order first seen (one row per
    round)."""
    groups = {}
    for r in rows:
        groups.setdefault(tuple(r.get(f) for f in fields), []).append(r)
    return groups


def side(rows, prefix):
    """One side's figures for one configuration over its rounds: the median time per sample with
    its spread (the fastest and slowest round's median), the median of the memory figures."""
    times = [r.get("time_per_sample_s") for r in rows]
    out = {f"{prefix}_s_per_sample": median(times), f"{prefix}_rounds": len(rows),
           f"{prefix}_s_per_sample_min": min((t for t in times if t is not None), default=None),
           f"{prefix}_s_per_sample_max": max((t for t in times if t is not None), default=None)}
    for field in ("peak_activation_bytes", "saved_bytes", "peak_total_bytes", "peak_cudnn_workspace_bytes"):
        out[f"{prefix}_{field}"] = median([r.get(field) for r in rows])
    return out


def compare(engine_rows, torch_rows):
    """Engine rows also split by cuDNN workspace policy; each is paired with PyTorch's row of the
    same configuration."""
    torch_by = by_key(torch_rows, BASE_KEY)
    out = []
    for key, rows in by_key(engine_rows, BASE_KEY + ("cudnn_workspace",)).items():
        row = dict(zip(BASE_KEY + ("cudnn_workspace",), key))
        row.update(side(rows, "engine"))
        if key[:-1] in torch_by:
            row.update(side(torch_by[key[:-1]], "torch"))
            row.update({"time_ratio": ratio(row["engine_s_per_sample"], row["torch_s_per_sample"]),
                        "peak_activation_ratio": ratio(row["engine_peak_activation_bytes"], row["torch_peak_activation_bytes"]),
                        "saved_ratio": ratio(row["engine_saved_bytes"], row["torch_saved_bytes"]),
                        "peak_total_ratio": ratio(row["engine_peak_total_bytes"], row["torch_peak_total_bytes"])})
        out.append(row)
    return out


def junit(cases, path):
    failures = sum(1 for c in cases if c["rc"] not in ("0", "77"))
    skipped = sum(1 for c in cases if c["rc"] == "77")
    with open(path, "w") as f:
        f.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="test_cuda" tests="{len(cases)}" '
                f'failures="{failures}" skipped="{skipped}">\n')
        for c in cases:
            f.write(f'  <testcase classname="cuda" name={quoteattr(c["name"])} time="{c["seconds"]}">')
            if c["rc"] == "77":
                f.write("<skipped/>")
            elif c["rc"] != "0":
                f.write(f'<failure message="exit {escape(c["rc"])}"/>')
            f.write("</testcase>\n")
        f.write("</testsuite>\n")


def mib(b):
    return f"{b / 2**20:.1f}" if isinstance(b, (int, float)) else "-"


def fmt(x, spec):
    return format(x, spec) if isinstance(x, (int, float)) else "-"


def spread(row, prefix):
    t = row.get(f"{prefix}_s_per_sample")
    if not isinstance(t, (int, float)):
        return "-"
    if row.get(f"{prefix}_rounds", 1) < 2:
        return f"{t:.5f}"
    return f"{t:.5f} ({row[prefix + '_s_per_sample_min']:.5f}-{row[prefix + '_s_per_sample_max']:.5f})"


def markdown(s):
    lines = [f"# GPU check: {s['overall']}", ""]
    kit = s.get("kit", {})
    lines += [f"Kit commit {kit.get('git_commit', '?')}, built {kit.get('created', '?')}; "
              f"check took {s['seconds']} s.", "", "## Preflight", ""]
    lines += [f"- {k}: {v}" for k, v in s["preflight"].items()]
    lines += ["", "## Stages", "", "| stage | outcome | s | detail |", "|---|---|---|---|"]
    lines += [f"| {x['name']} | {x['status']} | {x['seconds']} | {x['detail']} |" for x in s["stages"]]
    bad = [c for c in s["cuda_tests"] if c["rc"] != "0"]
    if bad:
        lines += ["", "CUDA test cases that did not pass (exit 77: skipped):", ""]
        lines += [f"- exit {c['rc']}: {c['name']}" for c in bad]
    for name, rows in s["comparisons"].items():
        if not rows:
            continue
        rounds = max(r.get("engine_rounds", 0) for r in rows)
        lines += ["", f"## {name}: engine vs PyTorch on this GPU", "",
                  f"Medians over {rounds} interleaved round(s); the spread is the fastest and slowest round.", "",
                  "| model | K | R | px | mode | engine s/sample (spread) | torch s/sample (spread) | time e/t "
                  "| engine peak act MiB (cuDNN ws) | torch peak act MiB | peak act e/t | peak total e/t |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            mode = r["mode"] + (f", {r['cudnn_workspace']} ws" if r.get("cudnn_workspace") else "")
            lines.append(f"| {r['model']} | {r['ngf']} | {r['depth']} | {r['size']} | {mode} | "
                         f"{spread(r, 'engine')} | {spread(r, 'torch')} | "
                         f"{fmt(r.get('time_ratio'), '.2f')} | {mib(r.get('engine_peak_activation_bytes'))} "
                         f"({mib(r.get('engine_peak_cudnn_workspace_bytes'))}) | "
                         f"{mib(r.get('torch_peak_activation_bytes'))} | {fmt(r.get('peak_activation_ratio'), '.2f')} | "
                         f"{fmt(r.get('peak_total_ratio'), '.2f')} |")
    if any(s["comparisons"].values()):
        lines += ["", "Peak activation memory is not the same quantity on both sides: the engine's is the activation",
                  "category of its allocator, PyTorch's the rise of torch.cuda.max_memory_allocated over the step's",
                  "start (gradients and temporaries included), which favours the engine; peak total compares",
                  "everything allocated on both sides. The engine's activation peak includes the cuDNN workspace",
                  "(in brackets: the most of it live at once in a step); \"fastest ws\" and \"lean ws\" name the",
                  "engine's cuDNN workspace policy (REVGAN_CUDNN_WORKSPACE). Both compute float32 without TF32."]
    lines.append("")
    return "\n".join(lines)


def main():
    work, out, overall, manifest, seconds = sys.argv[1:6]
    facts = {r["key"]: r["value"] for r in read_tsv(os.path.join(work, "facts.tsv"), ["key", "value"])}
    stages = read_tsv(os.path.join(work, "stages.tsv"), ["name", "status", "seconds", "detail"])
    cases = read_tsv(os.path.join(work, "cuda-tests.tsv"), ["rc", "seconds", "name"])
    if cases:
        junit(cases, os.path.join(work, "cuda-tests.junit.xml"))
    kit = {}
    try:
        m = json.load(open(manifest))
        kit = {k: m.get(k) for k in ("git_commit", "created", "test_cuda_built", "built_with", "cuda_cubins", "cuda_ptx", "needs", "total_bytes")}
    except (OSError, ValueError):
        pass
    comparisons = {}
    for name, suffix in (("Table 2 (128x128)", "table2"), ("Depth sweep (128x128)", "depth")):
        comparisons[name] = compare(read_jsonl(os.path.join(work, f"bench-{suffix}.jsonl")),
                                    read_jsonl(os.path.join(work, f"peer-{suffix}.jsonl")))
    rounds = read_tsv(os.path.join(work, "rounds.tsv"), ["run", "asked"])
    summary = {"overall": overall, "exit_code": EXIT_MEANING.get(overall), "seconds": int(seconds), "kit": kit,
               "benchmark_rounds": {k: int(v) for k, v in rounds[0].items()} if rounds else None,
               "preflight": facts, "stages": stages, "cuda_tests": cases, "comparisons": comparisons,
               "exit_codes": {"0": "pass", "1": "a stage failed", "2": "usage", "3": "no usable GPU",
                              "4": "the kit cannot run here",
                              "5": "incomplete: a stage timed out or the budget ran out"}}
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write(markdown(summary))


if __name__ == "__main__":
    main()
