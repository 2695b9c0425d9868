"""PyTorch twins of the networks revgan-engine maps to, written from their documented structure
(layer order and module names only, which is what a state dict records), for the interop
fixtures and the optional strict-load check. Nothing here is imported from those projects.

pytorch-CycleGAN-and-pix2pix (current defaults, --norm instance):
  ResnetGenerator: attribute `model`, an nn.Sequential of
    ReflectionPad2d(3), Conv2d(in, ngf, 7), IN, ReLU,
    2 x [Conv2d(k, 2k, 3, stride 2, padding 1), IN, ReLU],
    n_blocks x ResnetBlock (attribute `conv_block`: ReflectionPad2d(1), Conv2d 3x3, IN, ReLU,
                            ReflectionPad2d(1), Conv2d 3x3, IN; output x + conv_block(x)),
    2 x [ConvTranspose2d(k, k/2, 3, stride 2, padding 1, output_padding 1), IN, ReLU],
    ReflectionPad2d(3), Conv2d(ngf, out, 7), Tanh.
  NLayerDiscriminator(n_layers=3): attribute `model`, an nn.Sequential of
    Conv2d(in, ndf, 4, 2, 1), LeakyReLU(0.2), then for n = 1, 2: Conv2d(stride 2), IN, LeakyReLU,
    then Conv2d(stride 1), IN, LeakyReLU, then Conv2d(8 ndf, 1, 4, 1, 1).
  PixelDiscriminator: attribute `net`, an nn.Sequential of
    Conv2d(in, ndf, 1), LeakyReLU(0.2), Conv2d(ndf, 2 ndf, 1), IN, LeakyReLU(0.2), Conv2d(2 ndf, 1, 1)
    [, Sigmoid (the official RevGAN code's use_sigmoid)].
  Every conv has a bias (instance norm); IN = InstanceNorm2d(affine=False,
  track_running_stats=False).

The official RevGAN code (tychovdo/RevGAN, 2D, --norm instance, additive coupling), five
networks each saved on its own:
  G_A_enc / G_B_enc: attribute `model`, the ResnetGenerator's first 10 layers.
  G_core: attribute `model`, an nn.Sequential of ReversibleResnetBlocks; block b holds
    `rev_block` (memcnn's ReversibleBlock) holding `rev_block` (its AdditiveBlock) holding `Gm`
    and `Fm` (registered in that order), each ReflectionPad2d(1), Conv2d 3x3, IN, ReLU,
    ReflectionPad2d(1), Conv2d 3x3, IN on half the channels; y1 = x1 + Fm(x2), y2 = x2 + Gm(y1).
  G_A_dec / G_B_dec: attribute `model`, the ResnetGenerator's last 9 layers.
  Its IN tracks running statistics (InstanceNorm2d(affine=False, track_running_stats=True)),
  and its test.py never calls eval(), so outputs use per-instance statistics.
"""

import torch
from torch import nn


def instance_norm(channels, track):
    return nn.InstanceNorm2d(channels, affine=False, track_running_stats=track)


def encoder_layers(in_nc, ngf, track=False):
    layers = [nn.ReflectionPad2d(3), nn.Conv2d(in_nc, ngf, 7), instance_norm(ngf, track), nn.ReLU(True)]
    for mult in (1, 2):
        layers += [nn.Conv2d(ngf * mult, ngf * mult * 2, 3, stride=2, padding=1),
                   instance_norm(ngf * mult * 2, track), nn.ReLU(True)]
    return layers


def decoder_layers(out_nc, ngf, track=False):
    layers = []
    for mult in (4, 2):
        layers += [nn.ConvTranspose2d(ngf * mult, ngf * mult // 2, 3, stride=2, padding=1, output_padding=1),
                   instance_norm(ngf * mult // 2, track), nn.ReLU(True)]
    return layers + [nn.ReflectionPad2d(3), nn.Conv2d(ngf, out_nc, 7), nn.Tanh()]


def branch(channels, track=False):
    return nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3), instance_norm(channels, track),
                         nn.ReLU(True), nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3),
                         instance_norm(channels, track))


class ResnetBlock(nn.Module):
    def __init__(self, channels, track=False):
        super().__init__()
        self.conv_block = branch(channels, track)

    def forward(self, x):
        return x + self.conv_block(x)


class ResnetGenerator(nn.Module):
    """track=True: the InstanceNorm of releases before 2019, whose state dicts carry running
    statistics (their loader drops them; outputs use per-instance statistics either way)."""

    def __init__(self, input_nc, output_nc, ngf, n_blocks, track=False):
        super().__init__()
        blocks = [ResnetBlock(4 * ngf, track) for _ in range(n_blocks)]
        self.model = nn.Sequential(*encoder_layers(input_nc, ngf, track), *blocks,
                                   *decoder_layers(output_nc, ngf, track))

    def forward(self, x):
        return self.model(x)


class NLayerDiscriminator(nn.Module):
    def __init__(self, input_nc, ndf, n_layers=3, track=False):
        super().__init__()
        layers = [nn.Conv2d(input_nc, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        mult = 1
        for n in range(1, n_layers + 1):
            prev, mult = mult, min(2 ** n, 8)
            layers += [nn.Conv2d(ndf * prev, ndf * mult, 4, 2 if n < n_layers else 1, 1),
                       instance_norm(ndf * mult, track), nn.LeakyReLU(0.2, True)]
        layers += [nn.Conv2d(ndf * mult, 1, 4, 1, 1)]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


class PixelDiscriminator(nn.Module):
    def __init__(self, input_nc, ndf, track=False, sigmoid=False):
        super().__init__()
        layers = [nn.Conv2d(input_nc, ndf, 1), nn.LeakyReLU(0.2, True), nn.Conv2d(ndf, 2 * ndf, 1),
                  instance_norm(2 * ndf, track), nn.LeakyReLU(0.2, True), nn.Conv2d(2 * ndf, 1, 1)]
        if sigmoid:
            layers.append(nn.Sigmoid())
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class Sequence(nn.Module):
    """A network whose state dict lives under `model` (RevGAN's encoders and decoders)."""

    def __init__(self, layers):
        super().__init__()
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


class AdditiveBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.Gm = branch(channels, track=True)
        self.Fm = branch(channels, track=True)

    def forward(self, x):
        x1, x2 = torch.chunk(x, 2, dim=1)
        y1 = x1 + self.Fm(x2)
        return torch.cat([y1, x2 + self.Gm(y1)], dim=1)

    def inverse(self, y):
        y1, y2 = torch.chunk(y, 2, dim=1)
        x2 = y2 - self.Gm(y1)
        return torch.cat([y1 - self.Fm(x2), x2], dim=1)


class Wrapper(nn.Module):
    """One level of `rev_block` nesting (ReversibleResnetBlock, memcnn's ReversibleBlock)."""

    def __init__(self, inner):
        super().__init__()
        self.rev_block = inner

    def forward(self, x):
        return self.rev_block(x)

    def inverse(self, y):
        return self.rev_block.inverse(y)


class RevganCore(nn.Module):
    def __init__(self, ngf, n_blocks):
        super().__init__()
        self.model = nn.Sequential(*[Wrapper(Wrapper(AdditiveBlock(2 * ngf))) for _ in range(n_blocks)])

    def forward(self, x, inverse=False):
        blocks = reversed(self.model) if inverse else self.model
        for block in blocks:
            x = block.inverse(x) if inverse else block(x)
        return x


def revgan_networks(input_nc, output_nc, ngf, n_blocks):
    """The five generator networks of the official RevGAN code, by their checkpoint names."""
    return {
        "G_A_enc": Sequence(encoder_layers(input_nc, ngf, track=True)),
        "G_B_enc": Sequence(encoder_layers(output_nc, ngf, track=True)),
        "G_core": RevganCore(ngf, n_blocks),
        "G_A_dec": Sequence(decoder_layers(output_nc, ngf, track=True)),
        "G_B_dec": Sequence(decoder_layers(input_nc, ngf, track=True)),
    }


def revgan_translate(nets, x, a_to_b):
    if a_to_b:
        return nets["G_A_dec"](nets["G_core"](nets["G_A_enc"](x)))
    return nets["G_B_dec"](nets["G_core"](nets["G_B_enc"](x), inverse=True))


# pytorch-CycleGAN-and-pix2pix's U-Net (UnetGenerator / UnetSkipConnectionBlock), from its
# documented structure: attribute `model` (the outermost block); each block's attribute `model`
# is an nn.Sequential of
#   outermost: Conv2d(in_nc, inner, 4, 2, 1), <inner block>, ReLU, ConvTranspose2d(2 inner, out, 4, 2, 1), Tanh
#   middle:    LeakyReLU(0.2, inplace), Conv2d(outer, inner, 4, 2, 1), norm(inner), <inner block>, ReLU,
#              ConvTranspose2d(2 inner, outer, 4, 2, 1), norm(outer)[, Dropout(0.5)]
#   innermost: LeakyReLU(0.2, inplace), Conv2d(outer, inner, 4, 2, 1), ReLU, ConvTranspose2d(inner, outer, 4, 2, 1),
#              norm(outer)
# Non-outermost blocks return cat([x, model(x)], 1) after their in-place LeakyReLU has changed x.
# Convs have a bias only with instance norm, except the outermost ConvTranspose2d (always).
class UnetBlock(nn.Module):
    def __init__(self, outer_nc, inner_nc, input_nc=None, submodule=None, outermost=False, innermost=False,
                 norm="batch", use_dropout=False):
        super().__init__()
        self.outermost = outermost
        bias = norm == "instance"
        input_nc = outer_nc if input_nc is None else input_nc

        def make_norm(c):
            if norm == "batch":
                return nn.BatchNorm2d(c)
            if norm == "instance":
                return nn.InstanceNorm2d(c, affine=False, track_running_stats=False)
            return nn.Identity()

        down = nn.Conv2d(input_nc, inner_nc, 4, 2, 1, bias=bias)
        if outermost:
            layers = [down, submodule, nn.ReLU(True), nn.ConvTranspose2d(inner_nc * 2, outer_nc, 4, 2, 1), nn.Tanh()]
        elif innermost:
            layers = [nn.LeakyReLU(0.2, True), down, nn.ReLU(True),
                      nn.ConvTranspose2d(inner_nc, outer_nc, 4, 2, 1, bias=bias), make_norm(outer_nc)]
        else:
            layers = [nn.LeakyReLU(0.2, True), down, make_norm(inner_nc), submodule, nn.ReLU(True),
                      nn.ConvTranspose2d(inner_nc * 2, outer_nc, 4, 2, 1, bias=bias), make_norm(outer_nc)]
            if use_dropout:
                layers.append(nn.Dropout(0.5))
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        if self.outermost:
            return self.model(x)
        return torch.cat([x, self.model(x)], 1)


class UnetGenerator(nn.Module):
    def __init__(self, input_nc, output_nc, num_downs, ngf=64, norm="batch", use_dropout=False):
        super().__init__()
        block = UnetBlock(ngf * 8, ngf * 8, innermost=True, norm=norm)
        for _ in range(num_downs - 5):
            block = UnetBlock(ngf * 8, ngf * 8, submodule=block, norm=norm, use_dropout=use_dropout)
        block = UnetBlock(ngf * 4, ngf * 8, submodule=block, norm=norm)
        block = UnetBlock(ngf * 2, ngf * 4, submodule=block, norm=norm)
        block = UnetBlock(ngf, ngf * 2, submodule=block, norm=norm)
        self.model = UnetBlock(output_nc, ngf, input_nc=input_nc, submodule=block, outermost=True, norm=norm)

    def forward(self, x):
        return self.model(x)
