#!/usr/bin/python3
"""Generates the .pth fixtures and PyTorch goldens of the interop tests (tests/interop/).

Run once with Debian's interpreter (torch 1.13 + h5py); the outputs are committed and the tests
never need Python:

    /usr/bin/python3 tests/interop/generate_pth_fixtures.py

Writes tests/interop/data/ (state dicts of tiny networks in both torch.save formats, tensors of
known values, hostile pickles, goldens.h5) and tools/fuzz/seeds/pth/ (fuzzing seeds). Every
network is seeded by a CRC32 of its case name, so reruns give the same tensors and goldens (not
the same bytes: legacy files name storages by memory address, and HDF5 records group times).
"""

import collections
import copy
import os
import sys
import zlib

import h5py
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_nets as ref  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
SEEDS = os.path.join(HERE, "..", "..", "tools", "fuzz", "seeds", "pth")
FORMATS = {"zip": True, "legacy": False}  # _use_new_zipfile_serialization

torch.set_num_threads(1)


def seed_for(name):
    torch.manual_seed(zlib.crc32(name.encode("ascii")) & 0x7FFFFFFF)


def randomise(net):
    """Weights far from the N(0, 0.02) initialisation, scaled by fan-in so that the final tanh
    stays mostly unsaturated and outputs depend on every value; running statistics (where
    tracked) random, to show they are ignored."""
    with torch.no_grad():
        for name, p in net.named_parameters():
            fan_in = p[0].numel() if p.dim() > 1 else 1
            p.normal_(0.0, 1.0 / fan_in ** 0.5 if name.endswith("weight") else 0.1)
        for name, b in net.named_buffers():
            if name.endswith("running_mean"):
                b.normal_(0.0, 1.0)
            elif name.endswith("running_var"):
                b.uniform_(0.5, 2.0)
            elif name.endswith("num_batches_tracked"):
                b.fill_(1234)
    return net


def save_both(state, stem, folder=DATA):
    os.makedirs(folder, exist_ok=True)
    for fmt, zipped in FORMATS.items():
        torch.save(state, os.path.join(folder, f"{stem}_{fmt}.pth"), _use_new_zipfile_serialization=zipped)


def reference_output(net, x, forward=None):
    """The network in float64 on the float32 weights and input: the golden."""
    net64 = copy.deepcopy(net).double()
    with torch.no_grad():
        return (forward(net64, x.double()) if forward else net64(x.double())).numpy()


def golden(h5, case, x, y):
    g = h5.create_group(case)
    g.create_dataset("input", data=x.numpy(), track_times=False)
    g.create_dataset("output", data=y, track_times=False)
    print(f"  {case}: input {tuple(x.shape)}, output {y.shape}, |output| max {abs(y).max():.3f}, "
          f"share above 0.99: {(abs(y) > 0.99).mean():.3f}")


def image(name, shape):
    seed_for(name + "/input")
    return torch.rand(*shape) * 2 - 1


def generator_cases(h5):
    # name, input_nc, output_nc, ngf, blocks, track (pre-2019 state dicts with running statistics)
    for name, in_nc, out_nc, ngf, blocks, track in [("resnet6", 3, 3, 2, 6, False), ("resnet9", 1, 3, 1, 9, True)]:
        seed_for(name)
        net = randomise(ref.ResnetGenerator(in_nc, out_nc, ngf, blocks, track)).train()
        save_both(net.state_dict(), name)
        x = image(name, (2, in_nc, 16, 12))
        golden(h5, name, x, reference_output(net, x))


def discriminator_cases(h5):
    """NLayerDiscriminator(3, ndf=2) and PixelDiscriminator(3, ndf=4), both with InstanceNorm2d;
    the pixel case (1x1 convs) on an odd-sized input."""
    for name, net, shape in [("patchgan", lambda: ref.NLayerDiscriminator(3, 2), (2, 3, 48, 40)),
                             ("pixel", lambda: ref.PixelDiscriminator(3, 4), (2, 3, 5, 7))]:
        seed_for(name)
        net = randomise(net())
        save_both(net.state_dict(), name)
        x = image(name, shape)
        golden(h5, name, x, reference_output(net, x))


def revgan_case(h5):
    seed_for("revgan")
    nets = {k: randomise(v).train() for k, v in ref.revgan_networks(3, 1, 2, 6).items()}
    for fmt, zipped in FORMATS.items():
        folder = os.path.join(DATA, f"revgan_{fmt}")
        os.makedirs(folder, exist_ok=True)
        for part, net in nets.items():
            torch.save(net.state_dict(), os.path.join(folder, f"latest_net_{part}.pth"),
                       _use_new_zipfile_serialization=zipped)
    for direction, in_nc in [("AtoB", 3), ("BtoA", 1)]:
        x = image("revgan_" + direction, (2, in_nc, 16, 12))
        nets64 = {k: copy.deepcopy(v).double() for k, v in nets.items()}
        with torch.no_grad():
            y = ref.revgan_translate(nets64, x.double(), direction == "AtoB").numpy()
        golden(h5, "revgan_" + direction, x, y)


def unet_cases(h5):
    """U-Nets with batch norm (and instance norm): eval mode (running statistics), and their
    test.py without --eval (batch statistics) with dropout off (--no_dropout) so that the output
    is deterministic; the train-mode case also records one layer's updated running mean."""
    # name, netG depth (num_downs), ngf, norm, use_dropout, input shape (N, input_nc, H, W),
    # output_nc, goldens (unet256 has none, to keep the data small: its 256 x 256 images would
    # add a megabyte; it is unet128 with one more 8 ngf block, and its file is load-checked).
    # Outputs are stored as float32 (rounding 6e-8 relative, far below the 1e-5 tolerance).
    for name, downs, ngf, norm, dropout, shape, out_nc, goldens in [
            ("unet128_batch", 7, 2, "batch", True, (2, 1, 128, 128), 1, True),
            ("unet256_batch", 8, 1, "batch", True, (1, 1, 256, 256), 2, False),
            ("unet128_instance", 7, 1, "instance", False, (1, 2, 128, 128), 1, True)]:
        seed_for(name)
        net = randomise(ref.UnetGenerator(shape[1], out_nc, downs, ngf, norm, dropout))
        save_both(net.state_dict(), name)
        if not goldens:
            continue
        x = image(name, shape)
        golden(h5, name + "_eval", x, reference_output(net.eval(), x).astype("float32"))
        if norm != "batch":
            continue
        # Without --eval, with --no_dropout: the same keys, no Dropout layer, batch statistics.
        train = ref.UnetGenerator(shape[1], out_nc, downs, ngf, norm, False)
        train.load_state_dict(net.state_dict(), strict=True)
        train64 = copy.deepcopy(train).double().train()
        with torch.no_grad():
            y = train64(x.double()).numpy().astype("float32")
        golden(h5, name + "_train", x, y)
        h5[name + "_train"].create_dataset(
            "running_mean", data=train64.state_dict()["model.model.1.model.2.running_mean"].numpy(),
            track_times=False)


def tensors_state():
    """Tensors whose values the tests know by formula: element i of 'arange' is i / 4."""
    base = torch.arange(24, dtype=torch.float32) / 4
    state = collections.OrderedDict()
    state["arange"] = base.reshape(2, 3, 4)
    state["transposed"] = base.reshape(4, 6).t()               # strides (1, 6)
    state["view_at_offset"] = base[6:18].reshape(3, 4)        # shares the storage of 'arange'
    state["double"] = torch.arange(5, dtype=torch.float64) * -1.5
    state["long"] = torch.tensor([3, -7, 1 << 40], dtype=torch.int64)
    state["scalar"] = torch.tensor(2.5)
    state["empty"] = torch.zeros(0, 3)
    state._metadata = collections.OrderedDict([("", {"version": 1}), ("arange", {"version": 2})])
    return state


def hostile_cases():
    marker = "/tmp/revgan_interop_pwned"

    class CallsSystem:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    class CallsEval:
        def __reduce__(self):
            return (eval, (f"open('{marker}', 'w')",))

    state = collections.OrderedDict(weight=torch.ones(2))
    state["payload"] = CallsSystem()
    save_both(state, "hostile_system")
    state["payload"] = CallsEval()
    torch.save(state, os.path.join(DATA, "hostile_eval_zip.pth"))


def main():
    os.makedirs(DATA, exist_ok=True)
    with h5py.File(os.path.join(DATA, "goldens.h5"), "w", track_order=True) as h5:
        h5.attrs["generator"] = "tests/interop/generate_pth_fixtures.py"
        h5.attrs["torch_version"] = str(torch.__version__)
        generator_cases(h5)
        discriminator_cases(h5)
        revgan_case(h5)
        unet_cases(h5)
    state = tensors_state()
    save_both(state, "tensors")
    for fmt, zipped in FORMATS.items():
        torch.save(state, os.path.join(DATA, f"tensors_p4_{fmt}.pth"), pickle_protocol=4,
                   _use_new_zipfile_serialization=zipped)
    hostile_cases()
    # Seeds: the small files (every format and protocol, metadata, views, hostile globals).
    os.makedirs(SEEDS, exist_ok=True)
    for name in sorted(os.listdir(DATA)):
        if name.startswith(("tensors", "hostile")):
            with open(os.path.join(DATA, name), "rb") as src, open(os.path.join(SEEDS, name), "wb") as dst:
                dst.write(src.read())
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(DATA) for f in fs)
    print(f"wrote {DATA} ({total} bytes) and {SEEDS}")


if __name__ == "__main__":
    main()
