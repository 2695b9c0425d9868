#!/usr/bin/python3
"""Loads state dicts written by revgan_export into the PyTorch networks of reference_nets.py with
load_state_dict(strict=True) and compares their outputs with revgan-engine's, which the C++ test
wrote beside them (a .pth of 'input' and 'output', through our own writer). Used by
tests/interop/test_pth_export.cpp when Debian's python3-torch is installed.

  check_export.py CHECK [+ CHECK ...], each CHECK one of
    resnet   NET.pth IO.pth INPUT_NC OUTPUT_NC NGF BLOCKS
    patchgan NET.pth IO.pth INPUT_NC NDF N_LAYERS TRACK
    pixel    NET.pth IO.pth INPUT_NC NDF TRACK SIGMOID
    revgan   PREFIX IO_AtoB.pth IO_BtoA.pth INPUT_NC OUTPUT_NC NGF BLOCKS
    unet     NET.pth IO.pth INPUT_NC OUTPUT_NC NUM_DOWNS NGF DROPOUT   (batch norm, eval mode)

PREFIX<part>.pth are the five official RevGAN networks. Several checks share one interpreter (torch
takes seconds to import). Exit status 0 when every load is strict and every output within 1e-5 of
its scale, 1 otherwise (with the details on stderr).
"""

import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_nets as ref  # noqa: E402

TOLERANCE = 1e-5


def load_strict(net, path):
    state = torch.load(path)
    net.load_state_dict(state, strict=True)  # raises on any missing or unexpected key
    return net.double()


def compare(name, ours, theirs):
    scale = max(float(theirs.abs().max()), 1e-30)
    error = float((ours.double() - theirs).abs().max())
    ok = error <= TOLERANCE * scale
    print(f"{name}: max |ours - PyTorch| = {error:.3g} (scale {scale:.3g}) {'ok' if ok else 'FAIL'}", file=sys.stderr)
    return ok


def check_one(kind, net, net_path, io_path, eval_mode=False):
    """One network loaded strictly from NET.pth, run on IO.pth's input against its output."""
    net = load_strict(net, net_path)
    if eval_mode:
        net.eval()
    io = torch.load(io_path)
    return compare(kind, io["output"], net(io["input"].double()))


def check(argv):
    kind = argv[1]
    with torch.no_grad():
        if kind == "resnet":
            in_nc, out_nc, ngf, blocks = map(int, argv[4:8])
            return check_one(kind, ref.ResnetGenerator(in_nc, out_nc, ngf, blocks), argv[2], argv[3])
        if kind == "patchgan":
            in_nc, ndf, n_layers, track = map(int, argv[4:8])
            return check_one(kind, ref.NLayerDiscriminator(in_nc, ndf, n_layers, bool(track)), argv[2], argv[3])
        if kind == "pixel":
            in_nc, ndf, track, sigmoid = map(int, argv[4:8])
            return check_one(kind, ref.PixelDiscriminator(in_nc, ndf, bool(track), bool(sigmoid)), argv[2], argv[3])
        if kind == "revgan":
            prefix, io_ab, io_ba = argv[2], argv[3], argv[4]
            in_nc, out_nc, ngf, blocks = map(int, argv[5:9])
            nets = ref.revgan_networks(in_nc, out_nc, ngf, blocks)
            for part, net in nets.items():
                load_strict(net.train(), f"{prefix}{part}.pth")
            ok = True
            for a_to_b, io_path in [(True, io_ab), (False, io_ba)]:
                io = torch.load(io_path)
                ok &= compare("revgan " + ("AtoB" if a_to_b else "BtoA"), io["output"],
                              ref.revgan_translate(nets, io["input"].double(), a_to_b))
            return ok
        if kind == "unet":
            in_nc, out_nc, downs, ngf, dropout = map(int, argv[4:9])
            return check_one(kind, ref.UnetGenerator(in_nc, out_nc, downs, ngf, "batch", bool(dropout)), argv[2],
                             argv[3], eval_mode=True)
    raise SystemExit(f"unknown kind {kind}")


def main(argv):
    torch.set_num_threads(1)
    ok, job = True, [argv[0]]
    for arg in argv[1:] + ["+"]:
        if arg != "+":
            job.append(arg)
            continue
        ok &= check(job)
        job = [argv[0]]
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv) else 1)
