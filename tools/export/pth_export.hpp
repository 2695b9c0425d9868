// One network of a revgan_train checkpoint as a PyTorch state dict, under the names of the
// PyTorch code it reproduces (models/pytorch_names), or under our own parameter paths:
//   cyclegan          G_A, G_B (pytorch-CycleGAN-and-pix2pix ResnetGenerator), D_A, D_B
//                     (NLayerDiscriminator; PixelDiscriminator with --netD pixel)
//   pix2pix           G (ResnetGenerator or UnetGenerator), D (the same discriminators on cat(A, B))
//   revgan_* (2D)     G_A_enc, G_B_enc, G_core, G_A_dec, G_B_dec (the official RevGAN code's
//                     generator networks) and D_A, D_B (its NLayerDiscriminator or
//                     PixelDiscriminator, with the running-statistics buffers its InstanceNorm keeps)
//   names "ours"      G (the whole generator set), D_A, D_B under our parameter paths; the only
//                     choice for the 3D models, whose PyTorch twin is not verified.
#pragma once

#include <string>
#include <vector>

#include "engine/io/pth/state_dict.hpp"

namespace revgan::exporting {

struct ExportRequest {
  std::string checkpoint;          // written by revgan_train
  std::string net;                 // empty: the model's first generator (G_A, G, or G with names "ours")
  std::string names = "official";  // official | ours
};

struct ExportedNetwork {
  io::pth::StateDict state;
  std::string net;          // the network exported
  std::string model;        // the checkpoint's model
  std::string description;  // what a PyTorch user builds to load it
};

ExportedNetwork export_network(const ExportRequest& request);

// The --net values a model offers under `names`.
std::vector<std::string> exportable_networks(const std::string& model, const std::string& names);

}  // namespace revgan::exporting
