#!/usr/bin/python3
"""PyTorch peer of `bench conv`: the same conv shapes, forward and backward (input, weight and
bias gradients), timed the same way (warm-up, then the median of timed runs), printed as JSON
lines. Run with Debian's python3-torch; threads follow OMP_NUM_THREADS."""
import json
import os
import statistics
import sys
import time

import torch

CASES = [("core_3x3_64ch_32x32", 64, 64, 32, 32, 3, 1, 1),
         ("stem_7x7_3to32_128x128", 3, 32, 134, 134, 7, 1, 0)]


def timed(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    seconds = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - t0)
    return statistics.median(seconds), min(seconds), max(seconds)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    threads = int(os.environ.get("OMP_NUM_THREADS", os.cpu_count()))
    torch.set_num_threads(threads)
    for name, cin, cout, h, w, k, stride, pad in CASES:
        x = torch.randn(1, cin, h, w, requires_grad=True)
        weight = (torch.randn(cout, cin, k, k) * 0.02).requires_grad_()
        bias = torch.randn(cout, requires_grad=True)
        ho, wo = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
        flops = 2.0 * cout * cin * k * k * ho * wo
        with torch.no_grad():
            fwd = timed(lambda: torch.nn.functional.conv2d(x, weight, bias, stride, pad), 3, runs)
        y = torch.nn.functional.conv2d(x, weight, bias, stride, pad)
        g = torch.randn_like(y)
        bwd = timed(lambda: torch.autograd.grad(y, (x, weight, bias), g, retain_graph=True), 3, runs)
        for pass_name, (med, lo, hi), f in (("forward", fwd, flops), ("backward", bwd, 2 * flops)):
            print(json.dumps({"bench": "conv", "engine": "pytorch", "case": name, "pass": pass_name,
                              "median_ms": med * 1e3, "min_ms": lo * 1e3, "max_ms": hi * 1e3,
                              "gflops": f / med * 1e-9, "threads": threads,
                              "torch": torch.__version__}))


if __name__ == "__main__":
    main()
