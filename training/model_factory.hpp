// Builds the networks a TrainOptions describes: the generator pair (also what inference loads)
// and the PatchGAN discriminators. Weights are drawn from seeds derived from options.seed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "models/generator_pair.hpp"
#include "models/patchgan.hpp"
#include "training/options.hpp"

namespace revgan::training {

// revgan_* -> RevGan2d / RevGan3d (memory_saving picks the core executor); cyclegan ->
// CycleGanGenerators; pix2pix -> a one-way ResNet generator whose g_yx throws.
// The result is on the CPU.
std::shared_ptr<models::GeneratorPair> build_generators(const ResolvedOptions& options);

// Discriminator judging images of domain B (`for_domain_b`, i.e. G_A's outputs: D_A in
// pytorch-CycleGAN's naming) or of domain A (D_B). Paired models get a conditional PatchGAN
// (input_nc + output_nc channels) with a sigmoid when gan_mode is vanilla.
// --netD picks the PatchGAN (n_layers_D stages) or the pixel discriminator.
std::shared_ptr<models::PatchGan> build_discriminator(const ResolvedOptions& options, bool for_domain_b);
// The smallest extent per spatial axis that these discriminators take (models::PatchGan::smallest_input).
int64_t smallest_discriminator_input(const ResolvedOptions& options);

// Reads the options stored in a training checkpoint, builds the generators and loads their
// weights (discriminators and optimizer state in the file are ignored). Errors name the file
// and say what it is likely to be (missing, another architecture, not from revgan_train).
struct LoadedGenerators {
  ResolvedOptions options;
  std::shared_ptr<models::GeneratorPair> generators;
};
LoadedGenerators load_generators(const std::string& checkpoint_path);

}  // namespace revgan::training
