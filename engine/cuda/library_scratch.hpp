// Bytes of library scratch (cuDNN convolution workspaces) live and at their high-water mark, over
// all CUDA devices of the process. Scratch is also charged to the allocator's memory category in
// force when it is taken (activations during a training step); this count tells how much of such
// a peak the libraries' workspaces were.
#pragma once

#include <cstdint>

namespace revgan::cuda {

struct LibraryScratchStats {
  int64_t live_bytes = 0;
  int64_t peak_bytes = 0;  // since the last reset_library_scratch_peak()
};

LibraryScratchStats library_scratch_stats();
// The peak restarts from the bytes live now.
void reset_library_scratch_peak();

// Called by the library context when scratch is taken and released.
void note_library_scratch_taken(int64_t bytes);
void note_library_scratch_released(int64_t bytes);

}  // namespace revgan::cuda
