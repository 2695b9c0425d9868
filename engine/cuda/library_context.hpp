// The runtime's side of the library-backed kernels (kernels/cuda/conv, conv_transpose, gemm):
// the current device's stream, its cuBLAS and cuDNN handles, and scratch memory from the device's
// accounted allocator.
#pragma once

#include <string>

#include "kernels/cuda/library.hpp"

namespace revgan::cuda {

kernels::cuda::LibraryContext library_context();

// "<call> failed: <library> error <name>: <message>", or the reason of an unsupported request.
std::string describe(const kernels::cuda::LibraryStatus& status);

}  // namespace revgan::cuda
