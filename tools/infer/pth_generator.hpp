// Generators from PyTorch state dicts (.pth / .pt) for revgan_infer, built from the option names
// of the code that trained them, since a state dict stores weights but not the architecture:
//   pytorch-CycleGAN-and-pix2pix: one generator per file (latest_net_G_A.pth, latest_net_G.pth),
//     --netG resnet_9blocks|resnet_6blocks|unet_128|unet_256 --ngf --norm --no_dropout --eval
//     --input_nc --output_nc, with their defaults and test-time semantics;
//   the official RevGAN code: a file named <epoch>_net_G_core.pth (or any of its five networks
//     <epoch>_net_G_{A,B}_{enc,dec}.pth) selects its five-file layout in that folder; AtoB reads
//     G_A_enc, G_core, G_A_dec and BtoA reads G_B_enc, G_core (inverted), G_B_dec. --netG gives
//     the core's depth as it does there.
// Combinations not built here (ResNet with batch norm or dropout) are refused by name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "engine/core/option_table.hpp"
#include "models/generator_pair.hpp"
#include "tools/infer/translator.hpp"
#include "training/options.hpp"

namespace revgan::infer {

struct PthGeneratorOptions {
  std::string netG = "resnet_9blocks";
  int64_t ngf = 64;
  std::string norm = "instance";
  bool no_dropout = false;
  bool eval = false;  // their test.py --eval: batch norm with running statistics, no dropout
  int64_t input_nc = 3;
  int64_t output_nc = 3;
};
const OptionTable<PthGeneratorOptions>& pth_generator_option_table();

// A .pth or .pt file name.
bool is_pth_checkpoint(const std::filesystem::path& path);

struct PthGenerators {
  std::shared_ptr<models::GeneratorPair> generators;  // g_xy runs the requested direction's file
  training::TrainOptions options;                     // model, channels and widths, for Translator
  std::string description;                            // e.g. "pytorch-CycleGAN-and-pix2pix resnet_9blocks"
  bool training_mode = false;  // run in training mode (U-Net without --eval: batch statistics, dropout)
};
// Builds the network the options (and, for RevGAN, the file name) describe and loads the file(s)
// strictly: every weight present with its shape, no unknown key. Errors name the file and, on a
// shape or key mismatch, the options the file appears to need.
PthGenerators load_pth_generators(const std::filesystem::path& path, const PthGeneratorOptions& options, bool x_to_y);

Translator translator_from_pth(const std::filesystem::path& path, const PthGeneratorOptions& options, bool x_to_y,
                               Device device);

}  // namespace revgan::infer
