// CPU reductions and losses. Sums are deterministic: fixed-size blocks summed in a fixed
// order whatever the thread count, accumulated in double.
#pragma once

#include <cstdint>

namespace revgan::kernels::cpu {

template <class T> double sum(int64_t n, const T* x);
// dx = (or +=) g for every element (the gradient of sum scaled by g).
template <class T> void broadcast_scalar(int64_t n, T g, T* dx, bool accumulate);

// Losses return the MEAN over n elements. `target` has no gradient.
template <class T> double l1_loss(int64_t n, const T* x, const T* target);
// dx = (or +=) g * sign(x - target) / n (sign(0) = 0, like PyTorch).
template <class T> void l1_loss_backward(int64_t n, T g, const T* x, const T* target, T* dx, bool accumulate);
template <class T> double mse_loss(int64_t n, const T* x, const T* target);
template <class T> void mse_loss_backward(int64_t n, T g, const T* x, const T* target, T* dx, bool accumulate);
// BCE on probabilities p in [0, 1]; log clamped at -100 like PyTorch.
template <class T> double bce_loss(int64_t n, const T* p, const T* target);
template <class T> void bce_loss_backward(int64_t n, T g, const T* p, const T* target, T* dx, bool accumulate);
// BCE on logits z, numerically stable: max(z,0) - z*t + log(1 + exp(-|z|)).
template <class T> double bce_with_logits_loss(int64_t n, const T* z, const T* target);
template <class T> void bce_with_logits_loss_backward(int64_t n, T g, const T* z, const T* target, T* dx,
                                                      bool accumulate);

}  // namespace revgan::kernels::cpu
