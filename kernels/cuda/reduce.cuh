// CUDA reductions and losses (twins of kernels/cpu/reduce.hpp). Sums are deterministic
// two-stage reductions in double without atomics: a grid fixed by n writes per-block partials,
// then one block adds them in index order. Scalars stay on the device: results are written to
// out[0] and upstream gradients read from g[0], so no op waits for the host.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace revgan::kernels::cuda {

// Doubles of scratch every reduction below needs as `workspace` (the per-block partials).
int64_t reduce_workspace_elements();

// out[0] = sum(x) / divisor.
template <class T>
cudaError_t sum(int64_t n, const T* x, double divisor, T* out, double* workspace, cudaStream_t stream);
// dx = (or +=) g[0] / divisor for every element.
template <class T>
cudaError_t broadcast_scalar(int64_t n, const T* g, double divisor, T* dx, bool accumulate, cudaStream_t stream);

// Losses write the MEAN over n elements to out[0]. `target` has no gradient; the backwards
// scale by the upstream g[0], as the CPU twins scale by their g argument.
template <class T>
cudaError_t l1_loss(int64_t n, const T* x, const T* target, T* out, double* workspace, cudaStream_t stream);
template <class T>
cudaError_t l1_loss_backward(int64_t n, const T* g, const T* x, const T* target, T* dx, bool accumulate,
                             cudaStream_t stream);
template <class T>
cudaError_t mse_loss(int64_t n, const T* x, const T* target, T* out, double* workspace, cudaStream_t stream);
template <class T>
cudaError_t mse_loss_backward(int64_t n, const T* g, const T* x, const T* target, T* dx, bool accumulate,
                              cudaStream_t stream);
template <class T>
cudaError_t bce_loss(int64_t n, const T* p, const T* target, T* out, double* workspace, cudaStream_t stream);
template <class T>
cudaError_t bce_loss_backward(int64_t n, const T* g, const T* p, const T* target, T* dx, bool accumulate,
                              cudaStream_t stream);
template <class T>
cudaError_t bce_with_logits_loss(int64_t n, const T* z, const T* target, T* out, double* workspace,
                                 cudaStream_t stream);
template <class T>
cudaError_t bce_with_logits_loss_backward(int64_t n, const T* g, const T* z, const T* target, T* dx, bool accumulate,
                                          cudaStream_t stream);

}  // namespace revgan::kernels::cuda
