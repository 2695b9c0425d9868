#!/usr/bin/python3
"""Generate PyTorch golden values for the revgan-engine C++ op tests.

Run with Debian's interpreter (the one that has torch 1.13 + h5py):

    /usr/bin/python3 tests/golden/generate_golden.py

Writes tests/golden/ops.h5 next to this script (or to the path given as the
first argument). See README.md in this directory for the file format.

Every case is seeded from a CRC32 of its name, so adding, removing or
reordering cases never changes the data of the other cases, and two runs of
the script produce byte-identical files.
"""

import os
import sys
import zlib

import h5py
import numpy as np
import torch
import torch.nn.functional as F

FORMAT_VERSION = 1

torch.set_num_threads(1)
torch.manual_seed(0)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def seed_for(name):
    torch.manual_seed(zlib.crc32(name.encode("ascii")) & 0x7FFFFFFF)


def randn(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def rand(*shape):
    return torch.rand(*shape, dtype=torch.float32)


def pad_to_torch(pad_before, pad_after):
    """(D,H,W)-ordered before/after lists -> F.pad's reversed interleaved tuple."""
    out = []
    for b, a in zip(reversed(pad_before), reversed(pad_after)):
        out += [b, a]
    return tuple(out)


class Case:
    def __init__(self, name, op, inputs, fn, diff=None, attrs=None):
        """
        name   : group name, "<op>_<short_description>"
        op     : op name (string attribute)
        inputs : list of float32 torch tensors (exact values fed to torch + engine)
        fn     : callable(*float64 tensors) -> tensor or tuple/list of tensors
        diff   : list of bools, which inputs are differentiable (default all)
        attrs  : dict of op parameters (ints -> int64, tuples -> int64 arrays,
                 floats -> float64 scalars)
        """
        assert name.startswith(op + "_"), name
        self.name = name
        self.op = op
        self.inputs = inputs
        self.fn = fn
        self.diff = diff if diff is not None else [True] * len(inputs)
        self.attrs = attrs or {}
        for t in inputs:
            assert t.dtype == torch.float32
            assert t.numel() <= 4096, (name, tuple(t.shape))


CASES = []


def case(name, op, make_inputs, fn, diff=None, attrs=None):
    """Seed from the name, build the inputs, register the case."""
    seed_for(name)
    inputs = make_inputs()
    c = Case(name, op, inputs, fn, diff, attrs)
    # grad_outputs are drawn later from the same per-case RNG stream
    c.rng_state = torch.get_rng_state()
    CASES.append(c)


# ---------------------------------------------------------------------------
# conv / conv_transpose
# ---------------------------------------------------------------------------

def add_conv(name, dims, n, cin, cout, spatial, k, stride, padding, bias):
    k = (k,) * dims if isinstance(k, int) else tuple(k)
    stride = (stride,) * dims if isinstance(stride, int) else tuple(stride)
    padding = (padding,) * dims if isinstance(padding, int) else tuple(padding)
    conv = F.conv2d if dims == 2 else F.conv3d

    def make():
        ins = [randn(n, cin, *spatial), randn(cout, cin, *k) * 0.3]
        if bias:
            ins.append(randn(cout))
        return ins

    def fn(x, w, b=None):
        return conv(x, w, b, stride=stride, padding=padding)

    case(name, "conv", make, fn,
         attrs=dict(dims=dims, stride=stride, padding=padding,
                    has_bias=int(bias)))


def add_convt(name, dims, n, cin, cout, spatial, k, stride, padding,
              output_padding, bias):
    k = (k,) * dims if isinstance(k, int) else tuple(k)
    stride = (stride,) * dims if isinstance(stride, int) else tuple(stride)
    padding = (padding,) * dims if isinstance(padding, int) else tuple(padding)
    output_padding = ((output_padding,) * dims if isinstance(output_padding, int)
                      else tuple(output_padding))
    convt = F.conv_transpose2d if dims == 2 else F.conv_transpose3d

    def make():
        ins = [randn(n, cin, *spatial), randn(cin, cout, *k) * 0.3]
        if bias:
            ins.append(randn(cout))
        return ins

    def fn(x, w, b=None):
        return convt(x, w, b, stride=stride, padding=padding,
                     output_padding=output_padding)

    case(name, "conv_transpose", make, fn,
         attrs=dict(dims=dims, stride=stride, padding=padding,
                    output_padding=output_padding, has_bias=int(bias)))


add_conv("conv_3x3_pad1_bias_batch2", 2, 2, 3, 4, (6, 5), 3, 1, 1, True)
add_conv("conv_stride2_odd", 2, 1, 3, 4, (9, 7), 3, 2, 1, True)
add_conv("conv_7x7_pad0", 2, 1, 3, 2, (11, 10), 7, 1, 0, True)
add_conv("conv_1x1", 2, 2, 4, 3, (5, 6), 1, 1, 0, True)
add_conv("conv_4x4_s2_p1_patchgan", 2, 1, 3, 4, (8, 10), 4, 2, 1, True)
add_conv("conv_nobias_3x3", 2, 1, 2, 3, (5, 5), 3, 1, 1, False)
add_conv("conv_aniso", 2, 1, 2, 3, (7, 8), (3, 2), (2, 1), (1, 0), True)
add_conv("conv_3d_k3_p1", 3, 1, 2, 3, (4, 5, 6), 3, 1, 1, True)
add_conv("conv_3d_k3_s2", 3, 1, 2, 3, (7, 6, 5), 3, 2, 1, True)
# At least 8 channels each way, so that in float32 the engine's oneDNN backend (when built)
# computes every pass of these, and is held to PyTorch directly, not only to im2col.
add_conv("conv_wide_3x3_pad1_batch2", 2, 2, 8, 16, (6, 7), 3, 1, 1, True)
add_conv("conv_wide_3x3_s2_odd", 2, 1, 16, 8, (9, 7), 3, 2, 1, True)
add_conv("conv_wide_3d_k3_p1", 3, 1, 8, 8, (4, 5, 6), 3, 1, 1, True)

add_convt("conv_transpose_k3_s2_p1_op1", 2, 2, 4, 3, (4, 5), 3, 2, 1, 1, True)
add_convt("conv_transpose_k4_s2_p1_nobias", 2, 1, 3, 2, (5, 4), 4, 2, 1, 0, False)
add_convt("conv_transpose_odd", 2, 1, 3, 2, (5, 7), 3, 2, 0, 1, True)
add_convt("conv_transpose_k3_s1_p1", 2, 1, 3, 2, (5, 6), 3, 1, 1, 0, True)
add_convt("conv_transpose_aniso", 2, 1, 2, 3, (4, 5), (3, 2), (3, 2), (1, 0),
          (2, 1), True)
add_convt("conv_transpose_3d_k3_s2_p1_op1", 3, 1, 2, 3, (3, 4, 5), 3, 2, 1, 1,
          True)
# Wide enough for the oneDNN backend's transposed-conv gradients (see the wide convs above).
add_convt("conv_transpose_wide_k3_s2_p1_op1", 2, 2, 16, 8, (4, 5), 3, 2, 1, 1, True)


# ---------------------------------------------------------------------------
# padding
# ---------------------------------------------------------------------------

def add_pad(name, op, shape, pad_before, pad_after):
    dims = len(shape) - 2
    assert len(pad_before) == len(pad_after) == dims
    mode = {"reflection_pad": "reflect", "replication_pad": "replicate"}[op]
    tp = pad_to_torch(pad_before, pad_after)

    case(name, op, lambda: [randn(*shape)],
         lambda x: F.pad(x, tp, mode=mode),
         attrs=dict(dims=dims, pad_before=tuple(pad_before),
                    pad_after=tuple(pad_after)))


add_pad("reflection_pad_1111", "reflection_pad", (2, 3, 5, 6), (1, 1), (1, 1))
add_pad("reflection_pad_asym", "reflection_pad", (1, 2, 6, 5), (2, 0), (1, 3))
add_pad("reflection_pad_max", "reflection_pad", (1, 2, 4, 5), (3, 4), (3, 4))
add_pad("reflection_pad_3d", "reflection_pad", (1, 2, 4, 5, 6), (1, 2, 1),
        (2, 1, 3))
add_pad("replication_pad_2d", "replication_pad", (1, 2, 4, 5), (2, 1), (3, 2))
add_pad("replication_pad_3d", "replication_pad", (1, 2, 3, 4, 5), (1, 2, 1),
        (2, 1, 3))


# ---------------------------------------------------------------------------
# instance norm, upsampling
# ---------------------------------------------------------------------------

EPS = 1e-5


def add_inorm(name, shape):
    case(name, "instance_norm", lambda: [randn(*shape) * 2.0 + 0.5],
         lambda x: F.instance_norm(x, eps=EPS), attrs=dict(eps=EPS))


add_inorm("instance_norm_2d_batch2", (2, 3, 5, 6))
add_inorm("instance_norm_3d", (1, 2, 4, 5, 6))


def add_bnorm(name, shape, training, affine):
    c = shape[1]

    def make():
        xs = [randn(*shape) * 2.0 + 0.5]
        if affine:
            xs += [randn(c) * 0.5 + 1.0, randn(c) * 0.5]
        xs += [randn(c) * 0.3, rand(c) + 0.5]
        return xs

    def fn(x, *rest):
        w, b = (rest[0], rest[1]) if affine else (None, None)
        rm, rv = rest[-2].clone(), rest[-1].clone()
        return F.batch_norm(x, rm, rv, w, b, training=training, momentum=0.1,
                            eps=EPS)

    diff = [True] + [True, True] * affine + [False, False]
    case(name, "batch_norm", make, fn, diff=diff,
         attrs=dict(training=int(training), affine=int(affine), momentum=0.1,
                    eps=EPS))


add_bnorm("batch_norm_2d_train_affine", (3, 4, 5, 6), True, True)
add_bnorm("batch_norm_2d_eval_affine", (2, 3, 4, 5), False, True)
add_bnorm("batch_norm_3d_train", (2, 2, 3, 4, 5), True, False)
add_bnorm("batch_norm_1x1_train_affine", (5, 3, 1, 1), True, True)


# Dropout's mask comes from each library's own generator, so only its deterministic cases can
# be compared: eval mode and p = 0 are the identity (forward and backward).
case("dropout_eval", "dropout", lambda: [randn(2, 3, 4, 5)], lambda x: F.dropout(x, 0.5, False) * 1.0,
     attrs=dict(p=0.5, training=0))
case("dropout_p0_train", "dropout", lambda: [randn(2, 3, 4, 5)], lambda x: F.dropout(x, 0.0, True) * 1.0,
     attrs=dict(p=0.0, training=1))


def add_upsample(name, shape, size):
    dims = len(shape) - 2
    mode = "bilinear" if dims == 2 else "trilinear"
    case(name, "upsample_linear", lambda: [randn(*shape)],
         lambda x: F.interpolate(x, size=tuple(size), mode=mode,
                                 align_corners=False),
         attrs=dict(dims=dims, size=tuple(size)))


add_upsample("upsample_linear_2x", (2, 2, 5, 6), (10, 12))
add_upsample("upsample_linear_mixed", (1, 2, 3, 4), (7, 5))
add_upsample("upsample_linear_3d", (1, 2, 3, 4, 5), (6, 8, 10))


# ---------------------------------------------------------------------------
# elementwise / structural
# ---------------------------------------------------------------------------

S = (2, 3, 4, 5)

case("relu_basic", "relu", lambda: [randn(*S)], F.relu)
case("tanh_basic", "tanh", lambda: [randn(*S) * 2.0], torch.tanh)
case("sigmoid_basic", "sigmoid", lambda: [randn(*S) * 3.0], torch.sigmoid)
# |x| in [0.25, 2.25): away from the pole at 0, both signs.
case("reciprocal_basic", "reciprocal",
     lambda: [(rand(*S) * 2.0 + 0.25) * torch.sign(randn(*S))], torch.reciprocal)
case("leaky_relu_basic", "leaky_relu", lambda: [randn(*S)],
     lambda x: F.leaky_relu(x, 0.2), attrs=dict(slope=0.2))
case("add_basic", "add", lambda: [randn(*S), randn(*S)], torch.add)
case("sub_basic", "sub", lambda: [randn(*S), randn(*S)], torch.sub)
case("mul_basic", "mul", lambda: [randn(*S), randn(*S)], torch.mul)
case("scale_basic", "scale", lambda: [randn(*S)], lambda x: x * -0.75,
     attrs=dict(alpha=-0.75))
case("concat_basic", "concat", lambda: [randn(2, 3, 4, 5), randn(2, 2, 4, 5)],
     lambda a, b: torch.cat([a, b], dim=1))
case("concat_3d", "concat", lambda: [randn(1, 1, 3, 4, 5), randn(1, 3, 3, 4, 5)],
     lambda a, b: torch.cat([a, b], dim=1))
case("split_two", "split", lambda: [randn(2, 5, 3, 4)],
     lambda x: torch.split(x, [2, 3], dim=1), attrs=dict(sizes=(2, 3)))
case("split_three", "split", lambda: [randn(1, 6, 3, 4)],
     lambda x: torch.split(x, [1, 3, 2], dim=1), attrs=dict(sizes=(1, 3, 2)))
case("sum_basic", "sum", lambda: [randn(*S)], torch.sum)
case("mean_basic", "mean", lambda: [randn(*S)], torch.mean)


# ---------------------------------------------------------------------------
# losses
# ---------------------------------------------------------------------------

ND = [True, False]   # target is not differentiable

case("l1_loss_basic", "l1_loss", lambda: [randn(*S), randn(*S)],
     lambda x, t: F.l1_loss(x, t), diff=ND)
case("mse_loss_basic", "mse_loss", lambda: [randn(*S), randn(*S)],
     lambda x, t: F.mse_loss(x, t), diff=ND)

case("bce_loss_basic", "bce_loss",
     lambda: [torch.sigmoid(randn(*S) * 2.0), rand(*S)],
     lambda p, t: F.binary_cross_entropy(p, t), diff=ND)
case("bce_loss_hard_targets", "bce_loss",
     lambda: [torch.sigmoid(randn(2, 1, 6, 6) * 2.0),
              (rand(2, 1, 6, 6) > 0.5).float()],
     lambda p, t: F.binary_cross_entropy(p, t), diff=ND)


def make_bce_clamp():
    p = torch.sigmoid(randn(1, 1, 4, 6) * 2.0)
    t = rand(1, 1, 4, 6)
    pf = p.view(-1)
    tf = t.view(-1)
    # exact 0/1 probabilities, with targets that are both matching and not
    pf[0], tf[0] = 0.0, 0.0    # log(1-p)=0, t*log(p) -> 0 * (-100)
    pf[1], tf[1] = 0.0, 1.0    # -log(0) clamped to 100
    pf[2], tf[2] = 1.0, 1.0
    pf[3], tf[3] = 1.0, 0.0    # -log(1-1) clamped to 100
    pf[4], tf[4] = 0.0, 0.25
    pf[5], tf[5] = 1.0, 0.75
    return [p, t]


case("bce_loss_clamp", "bce_loss", make_bce_clamp,
     lambda p, t: F.binary_cross_entropy(p, t), diff=ND)


def make_bce_logits():
    z = randn(*S) * 3.0
    t = rand(*S)
    zf = z.view(-1)
    zf[:6] = torch.tensor([30.0, -30.0, 50.0, -50.0, 30.0, -30.0])
    t.view(-1)[4:6] = torch.tensor([1.0, 0.0])
    return [z, t]


case("bce_with_logits_loss_basic", "bce_with_logits_loss", make_bce_logits,
     lambda z, t: F.binary_cross_entropy_with_logits(z, t), diff=ND)
case("bce_with_logits_loss_hard_targets", "bce_with_logits_loss",
     lambda: [randn(2, 1, 5, 5) * 4.0, (rand(2, 1, 5, 5) > 0.5).float()],
     lambda z, t: F.binary_cross_entropy_with_logits(z, t), diff=ND)


# ---------------------------------------------------------------------------
# evaluation + writing
# ---------------------------------------------------------------------------

def evaluate(c):
    torch.set_rng_state(c.rng_state)
    xs = [t.double().requires_grad_(d) for t, d in zip(c.inputs, c.diff)]
    out = c.fn(*xs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    gos32 = [randn(*(o.shape if o.dim() > 0 else (1,))) for o in outs]
    gos64 = [g.double().reshape(o.shape) for g, o in zip(gos32, outs)]
    diff_xs = [x for x, d in zip(xs, c.diff) if d]
    grads = torch.autograd.grad(outs, diff_xs, gos64, allow_unused=False)
    res = dict(
        outputs=[o.detach().reshape(o.shape if o.dim() > 0 else (1,)).numpy()
                 for o in outs],
        grad_outputs=[g.numpy() for g in gos32],
        grad_inputs={},
    )
    gi = iter(grads)
    for i, d in enumerate(c.diff):
        if d:
            res["grad_inputs"][i] = next(gi).detach().numpy()
    for arr in res["outputs"] + list(res["grad_inputs"].values()):
        assert np.all(np.isfinite(arr)), c.name
    return res


def write_attr(g, key, val):
    if isinstance(val, bool):
        val = int(val)
    if isinstance(val, str):
        # fixed-length, null-terminated ASCII (easy to read with the C API)
        g.attrs.create(key, np.bytes_(val.encode("ascii")))
    elif isinstance(val, (tuple, list)):
        g.attrs.create(key, np.asarray(val, dtype=np.int64))
    elif isinstance(val, int):
        g.attrs.create(key, np.int64(val))
    elif isinstance(val, float):
        g.attrs.create(key, np.float64(val))
    else:
        raise TypeError((key, val))


def _no_times_ordered(plist):
    """Track link/attribute creation order; no object timestamps."""
    order = h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED
    plist.set_link_creation_order(order)
    plist.set_attr_creation_order(order)
    plist.set_obj_track_times(False)
    return plist


def create_file(path):
    # HDF5 stores access/modification/change times in group object headers by
    # default; turn that off so that reruns give byte-identical files.
    fcpl = _no_times_ordered(h5py.h5p.create(h5py.h5p.FILE_CREATE))
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_EARLIEST, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fapl=fapl,
                          fcpl=fcpl)
    return h5py.File(fid)


def create_group(parent, name):
    gcpl = _no_times_ordered(h5py.h5p.create(h5py.h5p.GROUP_CREATE))
    gid = h5py.h5g.create(parent.id, name.encode("ascii"), gcpl=gcpl)
    return h5py.Group(gid)


def write_ds(g, key, arr, dtype):
    arr = np.ascontiguousarray(arr, dtype=dtype)
    g.create_dataset(key, data=arr, track_times=False)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "ops.h5")
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    tmp = path + ".tmp"
    with create_file(tmp) as f:
        write_attr(f, "format_version", FORMAT_VERSION)
        write_attr(f, "generator", "tests/golden/generate_golden.py")
        write_attr(f, "torch_version", torch.__version__)
        for c in CASES:
            r = evaluate(c)
            g = create_group(f, c.name)
            write_attr(g, "op", c.op)
            write_attr(g, "n_inputs", len(c.inputs))
            write_attr(g, "n_outputs", len(r["outputs"]))
            for k, v in c.attrs.items():
                write_attr(g, k, v)
            for i, x in enumerate(c.inputs):
                write_ds(g, "input%d" % i, x.numpy(), np.float32)
            for i, o in enumerate(r["outputs"]):
                write_ds(g, "output%d" % i, o, np.float64)
            for i, go in enumerate(r["grad_outputs"]):
                write_ds(g, "grad_output%d" % i, go, np.float32)
            for i, gi in r["grad_inputs"].items():
                write_ds(g, "grad_input%d" % i, gi, np.float64)
    os.replace(tmp, path)
    print("wrote %d cases to %s (%d bytes)" % (len(CASES), path,
                                               os.path.getsize(path)))


if __name__ == "__main__":
    main()
