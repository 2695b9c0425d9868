// `bench train`: option parsing and the run over the selected configurations and modes.
#pragma once

namespace revgan::bench {

// argv[0] is "train"'s first option. Returns the process exit code; throws revgan::Error on
// bad options or failed measurements.
int run_train_command(int argc, char** argv);
void print_train_usage();

}  // namespace revgan::bench
