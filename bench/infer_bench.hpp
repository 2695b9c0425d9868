// `bench infer`: time and peak memory of one RevGAN 2D translation (AtoB) of an N x M image,
// whole-image forward against exact tiled execution (engine/streaming), next to the estimates
// revgan_infer's memory budget decides with.
#pragma once

namespace revgan::bench {

void print_infer_usage();
// argv[0] is "infer", the options follow. Returns the exit status.
int run_infer_command(int argc, char** argv);

}  // namespace revgan::bench
