// The "linear" learning-rate policy of pytorch-CycleGAN-and-pix2pix: constant for n_epochs,
// then a linear decay over n_epochs_decay epochs towards zero.
#pragma once

#include <algorithm>
#include <cstdint>

#include "training/options.hpp"

namespace revgan::training {

// `scheduler_epoch` counts completed epochs since the run's first epoch (0 during epoch
// epoch_count). Matches the framework's LambdaLR rule.
inline double lr_factor(int64_t scheduler_epoch, int64_t epoch_count, int64_t n_epochs, int64_t n_epochs_decay) {
  const double over = static_cast<double>(std::max<int64_t>(0, scheduler_epoch + epoch_count - n_epochs));
  return 1.0 - over / static_cast<double>(n_epochs_decay + 1);
}

// The learning rate in force during epoch number `epoch` (epoch_count .. n_epochs + n_epochs_decay):
// lr for epochs <= n_epochs, then lr * (1 - (epoch - n_epochs) / (n_epochs_decay + 1)).
inline double lr_for_epoch(const TrainOptions& o, int64_t epoch) {
  return o.lr * lr_factor(epoch - o.epoch_count, o.epoch_count, o.n_epochs, o.n_epochs_decay);
}

}  // namespace revgan::training
