// The parameter names our networks have in the PyTorch code they reproduce, as NameMaps for
// io::pth (loading their .pth state dicts, exporting ours for their loaders):
//   pytorch-CycleGAN-and-pix2pix: ResnetGenerator ("model.<i>", residual blocks
//     "model.<10+b>.conv_block.<j>"), NLayerDiscriminator ("model.<i>") and PixelDiscriminator
//     ("net.<i>"); InstanceNorm without affine parameters or running statistics (its current
//     default).
//   the official RevGAN code (tychovdo/RevGAN): separate networks G_A_enc / G_B_enc
//     ("model.<i>"), G_core ("model.<b>.rev_block.rev_block.Fm|Gm.<j>") and G_A_dec / G_B_dec
//     ("model.<i>"); its InstanceNorm tracks running statistics, so those buffers are part of
//     its state dicts (its test.py never switches to eval mode, so they are never used).
// Every map is derived from the module tree, layer by layer, so a layer added to our networks
// without a counterpart fails loudly rather than mapping silently wrong.
#pragma once

#include <string>

#include "engine/io/pth/module_state.hpp"
#include "models/patchgan.hpp"
#include "models/resnet_generator.hpp"
#include "models/revgan2d.hpp"
#include "models/unet_generator.hpp"

namespace revgan::models {

// `ours` prefixes our paths (e.g. "g_xy." when the generator sits inside a GeneratorPair).
io::pth::NameMap pix2pix_resnet_names(const ResnetGenerator& g, const std::string& ours = "");
// Their UnetGenerator: the same paths as ours ("model.model.1.model.1.weight"), BatchNorm
// running statistics included as buffers.
io::pth::NameMap pix2pix_unet_names(const UnetGenerator& g, const std::string& ours = "");
// NLayerDiscriminator or, for a pixel PatchGan, PixelDiscriminator.
io::pth::NameMap pix2pix_patchgan_names(const PatchGan& d, const std::string& ours = "");

// One network of the official RevGAN code inside our RevGan2d. Their names: G_A_enc (our
// enc_x), G_B_enc (enc_y), G_core (core), G_A_dec (dec_y: A -> B ends in domain B's decoder),
// G_B_dec (dec_x).
enum class RevganPart { G_A_enc, G_B_enc, G_core, G_A_dec, G_B_dec };
const char* revgan_part_name(RevganPart part);
io::pth::NameMap revgan_official_names(const RevGan2d& g, RevganPart part);
// The official RevGAN code's PatchGAN (its NLayerDiscriminator, or PixelDiscriminator for a
// pixel D, with running statistics).
io::pth::NameMap revgan_official_patchgan_names(const PatchGan& d, const std::string& ours = "");

// Our own parameter paths, unchanged (the export for networks without a verified PyTorch twin).
io::pth::NameMap identity_names(const nn::Module& module);

}  // namespace revgan::models
