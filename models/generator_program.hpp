// The layers a generator runs in one direction, as a streaming::Program: what exact tiled
// inference executes and what the memory estimates of whole-image inference read.
#pragma once

#include "engine/streaming/program.hpp"
#include "models/generator_pair.hpp"

namespace revgan::models {

// g_xy (`x_to_y`) or g_yx of a RevGan2d, RevGan3d (without built-in up-sampling), CycleGAN pair
// or pix2pix generator; fails for other types and for directions a model does not have.
// A RevGan3d with a global residual computes input + program(input): the program is the
// correction only, and its caller adds the input (adds_input).
streaming::Program generator_program(GeneratorPair& generators, bool x_to_y);

// Whether the generators add their input to the program's output (RevGan3d global_residual).
bool adds_input(const GeneratorPair& generators);

}  // namespace revgan::models
