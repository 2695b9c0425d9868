// The emulated cuDNN's arithmetic: convolution forward, backward data and backward filter as
// direct loops over the definition (no unfolding, nothing shared with the CPU backend), each
// output a sum in double of its terms in a fixed order, then out = alpha * sum + beta * out with
// out not read when beta is zero.
#pragma once

#include "emulator/cudnn/objects.hpp"

namespace revgan::emu::dnn {

template <class T>
void direct_forward(const Problem& p, double alpha, const T* x, const T* w, double beta, T* y);
template <class T>
void direct_backward_data(const Problem& p, double alpha, const T* w, const T* dy, double beta, T* dx);
template <class T>
void direct_backward_filter(const Problem& p, double alpha, const T* x, const T* dy, double beta, T* dw);

}  // namespace revgan::emu::dnn
