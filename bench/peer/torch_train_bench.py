#!/usr/bin/python3
"""PyTorch peer of `bench train`: the same models (torch_models.py), losses, Adam and step
order; prints JSON lines with the same keys. Bytes saved for backward are recorded with
torch.autograd.graph.saved_tensors_hooks during the generator forward (loss included) and
counted once per storage, parameter storages apart, as the engine counts them. On the CPU
PyTorch keeps no allocator statistics, so the peak columns are null there. Run with Debian's
/usr/bin/python3 (python3-torch); threads follow OMP_NUM_THREADS."""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_models import CycleGanGenerators, PatchGan, RevGan2d  # noqa: E402

PRESETS = {
    "table2": [("cyclegan", 32, 6, 128), ("revgan_unpaired", 32, 6, 128), ("revgan_unpaired", 56, 6, 128),
               ("pix2pix", 32, 6, 128), ("revgan_paired", 32, 6, 128), ("revgan_paired", 56, 6, 128)],
    "table3": [("cyclegan", 32, 9, 256)] + [("revgan_unpaired", k, 9, 256) for k in (32, 58, 64)]
              + [("pix2pix", 32, 9, 256)] + [("revgan_paired", k, 9, 256) for k in (32, 58, 64)],
    "table4": [("cyclegan", 32, r, 256) for r in (6, 9, 12, 18, 30)]
              + [("revgan_unpaired", 58, r, 256) for r in (6, 9, 12, 18, 30)],
    "small": [("revgan_unpaired", 4, r, 32) for r in (2, 4, 8)]
             + [("cyclegan", 4, 2, 32), ("revgan_paired", 4, 2, 32), ("pix2pix", 4, 2, 32)],
}


def storage(t):
    """The tensor's storage: untyped_storage() where it exists (PyTorch 2; storage() is deprecated
    there), storage() before (Debian's 1.13)."""
    return t.untyped_storage() if hasattr(t, "untyped_storage") else t.storage()


class SavedRecorder:
    """Keeps every tensor autograd saves; summary() counts unique storages."""

    def __init__(self, param_ptrs):
        self.param_ptrs = param_ptrs
        self.tensors = []

    def pack(self, t):
        self.tensors.append(t)
        return t

    @staticmethod
    def unpack(t):
        return t

    def summary(self):
        seen = {}
        for t in self.tensors:
            s = storage(t)
            seen[s.data_ptr()] = s.nbytes()
        self.tensors = []
        act = sum(n for p, n in seen.items() if p not in self.param_ptrs)
        par = sum(n for p, n in seen.items() if p in self.param_ptrs)
        return act, par, len(seen)


class Session:
    def __init__(self, a):
        self.a = a
        self.paired = a.model in ("revgan_paired", "pix2pix")
        self.two_way = a.model != "pix2pix"
        dev = torch.device(a.device)
        if a.model.startswith("revgan"):
            self.g = RevGan2d(a.ngf, a.depth)
            self.g.set_memory_saving(a.mode == "memory_saving")
        elif a.model in ("cyclegan", "pix2pix"):
            if a.mode == "memory_saving":
                raise SystemExit(f"{a.model} has no memory-saving mode")
            self.g = CycleGanGenerators(a.ngf, a.depth, two_way=self.two_way)
        else:
            raise SystemExit(f"the PyTorch peer has no model {a.model}")
        nc = 3
        d_in = 2 * nc if self.paired else nc
        self.d_y = PatchGan(d_in, a.ndf, sigmoid=self.paired)
        self.d_x = PatchGan(d_in, a.ndf, sigmoid=self.paired) if self.two_way else None
        self.ds = [d for d in (self.d_y, self.d_x) if d is not None]
        for m in [self.g] + self.ds:
            m.to(dev)
        self.opt_g = torch.optim.Adam(self.g.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam([p for d in self.ds for p in d.parameters()], lr=2e-4, betas=(0.5, 0.999))
        gen = torch.Generator().manual_seed(1)
        shape = (a.batch, nc, a.size, a.size)
        self.x = (torch.rand(shape, generator=gen) * 2 - 1).to(dev)
        self.y = (torch.rand(shape, generator=gen) * 2 - 1).to(dev)
        self.params = [p for m in [self.g] + self.ds for p in m.parameters()]
        self.recorder = SavedRecorder({storage(p).data_ptr() for p in self.params})
        self.saved = (0, 0, 0)

    def gan_loss(self, pred, real):
        target = torch.full_like(pred, 1.0 if real else 0.0)
        return F.binary_cross_entropy(pred, target) if self.paired else F.mse_loss(pred, target)

    def set_d_grad(self, on):
        for d in self.ds:
            for p in d.parameters():
                p.requires_grad_(on)

    def step(self):
        (self.paired_step if self.paired else self.unpaired_step)()

    def finish_g(self, loss):
        self.saved = self.recorder.summary()
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()

    def unpaired_step(self):
        a, b, g = self.x, self.y, self.g
        self.set_d_grad(False)
        with torch.autograd.graph.saved_tensors_hooks(self.recorder.pack, self.recorder.unpack):
            fake_y = g.g_xy(a)
            rec_x = g.g_yx(fake_y)
            fake_x = g.g_yx(b)
            rec_y = g.g_xy(fake_x)
            loss = self.gan_loss(self.d_y(fake_y), True) + self.gan_loss(self.d_x(fake_x), True)
            loss = loss + 10.0 * (F.l1_loss(rec_x, a) + F.l1_loss(rec_y, b))
            if self.a.lambda_identity > 0:
                idt = F.l1_loss(g.g_xy(b), b) + F.l1_loss(g.g_yx(a), a)
                loss = loss + 10.0 * self.a.lambda_identity * idt
        self.finish_g(loss)
        self.set_d_grad(True)
        self.opt_d.zero_grad(set_to_none=True)
        for d, real, fake in ((self.d_y, b, fake_y.detach()), (self.d_x, a, fake_x.detach())):
            loss = 0.5 * (self.gan_loss(d(real), True) + self.gan_loss(d(fake), False))
            loss.backward()
        self.opt_d.step()

    def paired_step(self):
        a, b, g = self.x, self.y, self.g
        self.set_d_grad(False)
        sides = []
        with torch.autograd.graph.saved_tensors_hooks(self.recorder.pack, self.recorder.unpack):
            fake_y = g.g_xy(a)
            loss = self.gan_loss(self.d_y(torch.cat([a, fake_y], 1)), True) + 100.0 * F.l1_loss(fake_y, b)
            sides.append((self.d_y, a, b, fake_y))
            if self.two_way:
                fake_x = g.g_yx(b)
                loss = loss + (self.gan_loss(self.d_x(torch.cat([b, fake_x], 1)), True)
                               + 100.0 * F.l1_loss(fake_x, a))
                sides.append((self.d_x, b, a, fake_x))
        self.finish_g(loss)
        self.set_d_grad(True)
        self.opt_d.zero_grad(set_to_none=True)
        for d, cond, real, fake in sides:
            loss = 0.5 * (self.gan_loss(d(torch.cat([cond, real], 1)), True)
                          + self.gan_loss(d(torch.cat([cond, fake.detach()], 1)), False))
            loss.backward()
        self.opt_d.step()


def nbytes(t):
    return t.numel() * t.element_size()


def start_profile():
    activities = [torch.profiler.ProfilerActivity.CPU]
    profiler = torch.profiler.profile(activities=activities, record_shapes=True)
    profiler.__enter__()
    return profiler


def print_profile(profiler, a, rows=30):
    """The timed steps' ATen ops by self CPU time per step, grouped by op and input shapes, on
    stderr (the JSON lines stay alone on stdout): the peer's side of `bench train --profile_ops`.
    The profiler's own overhead is in these times, and the step times beside them."""
    profiler.__exit__(None, None, None)
    events = [e for e in profiler.key_averages(group_by_input_shape=True) if e.self_cpu_time_total > 0]
    events.sort(key=lambda e: e.self_cpu_time_total, reverse=True)
    total = sum(e.self_cpu_time_total for e in events)
    out = sys.stderr
    print(f"  {a.model} K={a.ngf} R={a.depth} {a.size}x{a.size} {a.mode}, {a.steps} profiled steps", file=out)
    print(f"  {'op':<36} {'shapes':<48} {'ms/step':>9} {'calls':>8} {'share':>7}", file=out)
    for e in events[:rows]:
        shapes = str([s for s in e.input_shapes if s][:2])[:48]
        print(f"  {e.key[:36]:<36} {shapes:<48} {e.self_cpu_time_total / 1e3 / a.steps:9.2f} "
              f"{e.count / a.steps:8.1f} {100 * e.self_cpu_time_total / total:6.1f}%", file=out)
    if len(events) > rows:
        rest = sum(e.self_cpu_time_total for e in events[rows:])
        print(f"  ({len(events) - rows} smaller rows) {rest / 1e3 / a.steps:.2f} ms/step", file=out)
    print(f"  all ops {total / 1e3 / a.steps:.1f} ms/step", file=out)


def measure(a):
    s = Session(a)
    cuda = a.device.startswith("cuda")
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    for _ in range(a.warmup):
        s.step()
    seconds, peak_act, peak_all = [], None, None
    profiler = start_profile() if a.profile_ops else None
    for _ in range(a.steps):
        if cuda:
            torch.cuda.reset_peak_memory_stats()
            before = torch.cuda.memory_allocated()
        sync()
        t0 = time.perf_counter()
        s.step()
        sync()
        seconds.append((time.perf_counter() - t0) / a.batch)
        if cuda:
            # Not category-split like the engine's: the increase over the step's starting level.
            peak_all = max(peak_all or 0, torch.cuda.max_memory_allocated())
            peak_act = max(peak_act or 0, torch.cuda.max_memory_allocated() - before)
    if profiler is not None:
        print_profile(profiler, a)
    seconds.sort()
    param_bytes = sum(nbytes(p) for p in s.params)
    grad_bytes = sum(nbytes(p.grad) for p in s.params if p.grad is not None)
    opt_bytes = sum(nbytes(v) for o in (s.opt_g, s.opt_d) for st in o.state.values()
                    for k, v in st.items() if k in ("exp_avg", "exp_avg_sq"))
    act, par, storages = s.saved
    return {"bench": "train", "engine": "pytorch", "model": a.model, "ngf": a.ngf, "depth": a.depth,
            "size": a.size, "batch": a.batch, "ndf": a.ndf, "channels": 3, "mode": a.mode, "device": a.device,
            "threads": torch.get_num_threads(), "lambda_identity": a.lambda_identity,
            "params_g": sum(p.numel() for p in s.g.parameters()),
            "params_d": sum(p.numel() for d in s.ds for p in d.parameters()),
            "param_bytes": param_bytes, "grad_bytes": grad_bytes, "optimizer_bytes": opt_bytes,
            "saved_bytes": act, "saved_param_bytes": par, "saved_storages": storages,
            "peak_activation_bytes": peak_act, "peak_total_bytes": peak_all,
            "time_per_sample_s": seconds[len(seconds) // 2], "time_min_s": seconds[0], "time_max_s": seconds[-1],
            "steps": a.steps, "warmup": a.warmup, "torch": torch.__version__, "tf32": a.allow_tf32}


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", default="revgan_unpaired")
    p.add_argument("--preset", choices=sorted(PRESETS))
    p.add_argument("--ngf", type=int)
    p.add_argument("--depth", type=int)
    p.add_argument("--size", type=int)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--ndf", type=int)
    p.add_argument("--mode", default="both", choices=["stored", "naive", "memory_saving", "both"],
                   help="executor(s); naive is the old name of stored")
    p.add_argument("--device", default="cpu")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--threads", type=int, help="informational; OMP_NUM_THREADS decides")
    p.add_argument("--lambda_identity", "--lambda-identity", dest="lambda_identity", type=float, default=0.5)
    p.add_argument("--json", help="also write the JSON lines to this file")
    p.add_argument("--profile_ops", action="store_true",
                   help="also print the timed steps' ops by self CPU time per step to stderr (torch.profiler)")
    p.add_argument("--allow_tf32", action="store_true", help="let cuDNN and cuBLAS use TF32 (the engine never does)")
    args = p.parse_args()
    if args.mode == "naive":
        args.mode = "stored"
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", os.cpu_count())))
    # The engine computes float32 convolutions and GEMMs in full float32 (no TF32); so does the
    # peer unless told otherwise, or the comparison on Ampere and later GPUs would be unfair.
    torch.backends.cudnn.allow_tf32 = args.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = args.allow_tf32
    model_given = any(x == "--model" or x.startswith("--model=") for x in sys.argv[1:])
    if args.preset:
        rows = [r for r in PRESETS[args.preset] if not model_given or r[0] == args.model]
    else:
        rows = [(args.model, 32, 6, 128)]
    out = []
    seen = set()
    for model, k, r, size in rows:
        for mode in ("stored", "memory_saving"):
            if args.mode not in ("both", mode) or (mode == "memory_saving" and not model.startswith("revgan")):
                continue
            a = argparse.Namespace(**vars(args))
            a.model, a.mode = model, mode
            a.ngf = args.ngf or k
            a.depth = args.depth or r
            a.size = args.size or size
            a.ndf = args.ndf or (8 if args.preset == "small" else 64)
            key = (a.model, a.ngf, a.depth, a.size, a.mode)
            if key in seen:
                continue
            seen.add(key)
            line = json.dumps(measure(a))
            print(line, flush=True)
            out.append(line)
    if args.json:
        with open(args.json, "w") as f:
            f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
