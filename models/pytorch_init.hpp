// Fine-tuning from PyTorch: our generators initialised from the generator state dicts of the
// code they reproduce (revgan_train --init_from), through the NameMaps of models/pytorch_names:
//   pix2pix (our ResNet generator): one file, their ResnetGenerator (latest_net_G.pth);
//   pix2pix with --netG unet_*: one file, their UnetGenerator, running statistics included;
//   cyclegan: their G_A file (latest_net_G_A.pth) for G_A and its G_B sibling for G_B;
//   revgan_unpaired / revgan_paired (2D): any of the official RevGAN code's five generator files
//     (<epoch>_net_G_core.pth, ...), the other four read from the same folder.
// Loading is strict (every weight present with its shape, no unknown key) and checked before
// anything changes.
#pragma once

#include <filesystem>
#include <optional>

#include "models/generator_pair.hpp"

namespace revgan::models {

// "<dir>/<epoch>" when `path` names one of the official RevGAN code's generator files.
std::optional<std::filesystem::path> revgan_official_prefix(const std::filesystem::path& path);

void init_generators_from_pth(GeneratorPair& generators, const std::filesystem::path& file);

}  // namespace revgan::models
