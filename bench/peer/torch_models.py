#!/usr/bin/python3
"""PyTorch peer models for `bench train`, written to the same definitions as the engine's:
the RevGAN 2D generator set (separate encoders/decoders around one shared reversible core,
run stored or through a MemCNN-style memory-saving autograd Function), the CycleGAN /
pix2pix ResNet generator and the PatchGAN discriminator. Run as a script it checks the
parameter counts against the reference table."""
import torch
from torch import nn


def init_weights(module, std=0.02):
    """N(0, std) conv weights, zero biases (the engine's init; values do not change costs)."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.Conv3d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
            nn.init.normal_(m.weight, 0.0, std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def norm(dims, channels):
    # Affine-free, always per-instance statistics.
    return (nn.InstanceNorm2d if dims == 2 else nn.InstanceNorm3d)(channels, affine=False,
                                                                   track_running_stats=False)


def conv_branch(dims, channels, final_norm=True):
    """ReflectionPad 1 -> Conv 3 -> IN -> ReLU -> ReflectionPad 1 -> Conv 3 [-> IN]."""
    pad = nn.ReflectionPad2d if dims == 2 else nn.ReflectionPad3d
    conv = nn.Conv2d if dims == 2 else nn.Conv3d
    layers = [pad(1), conv(channels, channels, 3), norm(dims, channels), nn.ReLU(True),
              pad(1), conv(channels, channels, 3)]
    if final_norm:
        layers.append(norm(dims, channels))
    return nn.Sequential(*layers)


def encoder(in_nc, k):
    return nn.Sequential(
        nn.ReflectionPad2d(3), nn.Conv2d(in_nc, k, 7), norm(2, k), nn.ReLU(True),
        nn.Conv2d(k, 2 * k, 3, stride=2, padding=1), norm(2, 2 * k), nn.ReLU(True),
        nn.Conv2d(2 * k, 4 * k, 3, stride=2, padding=1), norm(2, 4 * k), nn.ReLU(True))


def decoder(k, out_nc):
    return nn.Sequential(
        nn.ConvTranspose2d(4 * k, 2 * k, 3, stride=2, padding=1, output_padding=1), norm(2, 2 * k),
        nn.ReLU(True),
        nn.ConvTranspose2d(2 * k, k, 3, stride=2, padding=1, output_padding=1), norm(2, k), nn.ReLU(True),
        nn.ReflectionPad2d(3), nn.Conv2d(k, out_nc, 7), nn.Tanh())


class Coupling(nn.Module):
    """y1 = x1 + F(x2), y2 = x2 + G(y1); inverse x2 = y2 - G(y1), x1 = y1 - F(x2)."""

    def __init__(self, f, g):
        super().__init__()
        self.f, self.g = f, g

    def forward(self, x):
        x1, x2 = torch.chunk(x, 2, dim=1)
        y1 = x1 + self.f(x2)
        y2 = x2 + self.g(y1)
        return torch.cat([y1, y2], dim=1)

    def inverse(self, y):
        y1, y2 = torch.chunk(y, 2, dim=1)
        x2 = y2 - self.g(y1)
        x1 = y1 - self.f(x2)
        return torch.cat([x1, x2], dim=1)


def _grad_through(module, half, grad):
    """Recomputes module(half) with tracking; returns (output, d half, d params)."""
    params = [p for p in module.parameters() if p.requires_grad]
    with torch.enable_grad():
        leaf = half.detach().requires_grad_()
        out = module(leaf)
        grads = torch.autograd.grad(out, [leaf] + params, grad)
    return out.detach(), grads[0], dict(zip(params, grads[1:]))


class MemorySavingCore(torch.autograd.Function):
    """MemCNN-style: the forward runs the blocks without recording and saves only the output;
    the backward walks the blocks in reverse, rebuilding each block's input from its output
    while back-propagating through F and G (each evaluated once)."""

    @staticmethod
    def forward(ctx, x, core, inverse, *params):
        ctx.core, ctx.inverse = core, inverse
        with torch.no_grad():
            h = x
            blocks = list(core.blocks)
            for b in (reversed(blocks) if inverse else blocks):
                h = b.inverse(h) if inverse else b(h)
        ctx.save_for_backward(h)
        return h

    @staticmethod
    def backward(ctx, dh):
        (h,) = ctx.saved_tensors
        core, inverse = ctx.core, ctx.inverse
        pgrads = {}

        def add(d):
            for p, g in d.items():
                pgrads[p] = g if p not in pgrads else pgrads[p] + g

        blocks = list(core.blocks)
        h = h.detach()
        for b in (blocks if inverse else reversed(blocks)):
            a1, a2 = torch.chunk(h, 2, dim=1)
            d1, d2 = torch.chunk(dh, 2, dim=1)
            if not inverse:  # h = (y1, y2) of a forward block
                gy1, dg, pg = _grad_through(b.g, a1, d2)
                add(pg)
                x2 = a2 - gy1
                dz = d1 + dg
                fx2, df, pf = _grad_through(b.f, x2, dz)
                add(pf)
                x1 = a1 - fx2
                h, dh = torch.cat([x1, x2], 1), torch.cat([dz, d2 + df], 1)
            else:  # h = (x1, x2) of an inverse block; F and G enter with a minus sign
                fx2, df, pf = _grad_through(b.f, a2, -d1)
                add(pf)
                y1 = a1 + fx2
                dz2 = d2 + df
                gy1, dg, pg = _grad_through(b.g, y1, -dz2)
                add(pg)
                y2 = a2 + gy1
                h, dh = torch.cat([y1, y2], 1), torch.cat([d1 + dg, dz2], 1)
        params = [p for p in core.parameters() if p.requires_grad]
        return (dh, None, None) + tuple(pgrads.get(p) for p in params)


class ReversibleCore(nn.Module):
    def __init__(self, channels, depth, dims=2, final_norm=True):
        super().__init__()
        half = channels // 2
        self.blocks = nn.ModuleList(Coupling(conv_branch(dims, half, final_norm), conv_branch(dims, half, final_norm))
                                    for _ in range(depth))
        self.memory_saving = False

    def run(self, x, inverse=False):
        if self.memory_saving and torch.is_grad_enabled():
            params = [p for p in self.parameters() if p.requires_grad]
            return MemorySavingCore.apply(x, self, inverse, *params)
        blocks = list(self.blocks)
        for b in (reversed(blocks) if inverse else blocks):
            x = b.inverse(x) if inverse else b(x)
        return x


class RevGan2d(nn.Module):
    """G_XY(x) = Dec_Y(C(Enc_X(x))), G_YX(y) = Dec_X(C^-1(Enc_Y(y)))."""

    def __init__(self, ngf, depth, nc=3):
        super().__init__()
        self.enc_x, self.enc_y = encoder(nc, ngf), encoder(nc, ngf)
        self.core = ReversibleCore(4 * ngf, depth)
        self.dec_x, self.dec_y = decoder(ngf, nc), decoder(ngf, nc)
        init_weights(self)

    def set_memory_saving(self, on):
        self.core.memory_saving = on

    def g_xy(self, x):
        return self.dec_y(self.core.run(self.enc_x(x)))

    def g_yx(self, y):
        return self.dec_x(self.core.run(self.enc_y(y), inverse=True))


class ResnetBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.f = conv_branch(2, channels)

    def forward(self, x):
        return x + self.f(x)


class ResnetGenerator(nn.Module):
    def __init__(self, ngf, depth, nc=3):
        super().__init__()
        self.model = nn.Sequential(encoder(nc, ngf), *[ResnetBlock(4 * ngf) for _ in range(depth)],
                                   decoder(ngf, nc))
        init_weights(self)

    def forward(self, x):
        return self.model(x)


class CycleGanGenerators(nn.Module):
    def __init__(self, ngf, depth, nc=3, two_way=True):
        super().__init__()
        self.xy = ResnetGenerator(ngf, depth, nc)
        self.yx = ResnetGenerator(ngf, depth, nc) if two_way else None

    def set_memory_saving(self, on):
        if on:
            raise ValueError("ResNet generators have no reversible core")

    def g_xy(self, x):
        return self.xy(x)

    def g_yx(self, y):
        return self.yx(y)


class PatchGan(nn.Module):
    """pix2pix's NLayerDiscriminator: kernel 4, padding 1, LeakyReLU 0.2, IN (no affine)."""

    def __init__(self, input_nc, ndf=64, n_layers=3, sigmoid=False, dims=2):
        super().__init__()
        conv = nn.Conv2d if dims == 2 else nn.Conv3d
        layers = [conv(input_nc, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        mult = 1
        for n in range(1, n_layers + 1):
            prev, mult = mult, min(2 ** n, 8)
            stride = 2 if n < n_layers else 1
            layers += [conv(ndf * prev, ndf * mult, 4, stride, 1), norm(dims, ndf * mult), nn.LeakyReLU(0.2, True)]
        layers.append(conv(ndf * mult, 1, 4, 1, 1))
        if sigmoid:
            layers.append(nn.Sigmoid())
        self.model = nn.Sequential(*layers)
        init_weights(self)

    def forward(self, x):
        return self.model(x)


def count(module):
    return sum(p.numel() for p in module.parameters())


REFERENCE_COUNTS = [("RevGAN", 32, 6, 1274374), ("RevGAN", 56, 6, 3875206), ("RevGAN", 32, 9, 1717510),
                    ("RevGAN", 58, 9, 5610230), ("RevGAN", 64, 9, 6826502), ("CycleGAN", 32, 6, 3930118),
                    ("CycleGAN", 32, 9, 5701126), ("CycleGAN", 64, 9, 22756358)]


def check_param_counts():
    ok = True
    for name, k, r, expected in REFERENCE_COUNTS:
        model = RevGan2d(k, r) if name == "RevGAN" else CycleGanGenerators(k, r)
        got = count(model)
        ok &= got == expected
        print(f"{name:<9} K{k:<3} R{r:<3} {got:>11,} expected {expected:>11,} {'ok' if got == expected else 'MISMATCH'}")
    for nc, expected in ((3, 2764737), (6, 2767809)):
        got = count(PatchGan(nc))
        ok &= got == expected
        print(f"PatchGAN in {nc}    {got:>11,} expected {expected:>11,} {'ok' if got == expected else 'MISMATCH'}")
    return ok


def check_memory_saving_gradients(depth=3, ngf=4, size=16):
    """Memory-saving gradients equal stored ones (both directions, parameters and input)."""
    torch.manual_seed(0)
    g = RevGan2d(ngf, depth).double()
    x = torch.rand(1, 3, size, size, dtype=torch.double) * 2 - 1
    y = torch.rand(1, 3, size, size, dtype=torch.double) * 2 - 1
    grads = []
    for on in (False, True):
        g.set_memory_saving(on)
        g.zero_grad()
        xi = x.clone().requires_grad_()
        loss = (g.g_xy(xi) - y).abs().mean() + (g.g_yx(g.g_xy(xi)) - x).abs().mean() + (g.g_yx(y) - x).abs().mean()
        loss.backward()
        grads.append([xi.grad.clone()] + [p.grad.clone() for p in g.parameters()])
    # Relative to the largest gradient: biases followed by IN have (numerically) zero gradients.
    scale = max(float(a.abs().max()) for a in grads[0])
    return max(float((a - b).abs().max()) for a, b in zip(*grads)) / scale


if __name__ == "__main__":
    ok = check_param_counts()
    err = check_memory_saving_gradients()
    print(f"memory-saving vs stored gradients: max relative difference {err:.2e}")
    raise SystemExit(0 if ok and err < 1e-9 else 1)
