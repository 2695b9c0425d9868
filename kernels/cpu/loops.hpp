// Private loop helpers shared by the CPU element-wise, reduction and loss kernels:
// one place for the parallel threshold, gradient store/accumulate and deterministic sums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace revgan::kernels::cpu::detail {

// Below this many elements thread start-up costs more than the loop itself.
inline constexpr int64_t k_parallel_min = 32768;
// Fixed block size so the summation order never depends on the thread count.
inline constexpr int64_t k_sum_block = 4096;

// y[i] = f(i) (or += when accumulate), parallel only for large n. Each thread works on its
// own copy of f: stores to y could otherwise alias the shared closure, which makes the
// compiler reload its captured pointers every iteration and give up on vectorising.
template <class T, class F>
inline void store(int64_t n, T* y, bool accumulate, F&& f) {
#pragma omp parallel if (n >= k_parallel_min)
    {
        const std::decay_t<F> g = f;
        if (accumulate) {
#pragma omp for simd schedule(static)
            for (int64_t i = 0; i < n; ++i) y[i] += g(i);
        } else {
#pragma omp for simd schedule(static)
            for (int64_t i = 0; i < n; ++i) y[i] = g(i);
        }
    }
}

// sum of f(i) in double: per-block partials (any thread), then added serially in block order.
template <class F>
inline double blocked_sum(int64_t n, F&& f) {
    auto block_sum = [&](int64_t begin, int64_t end) {
        double s = 0.0;
        for (int64_t i = begin; i < end; ++i) s += f(i);
        return s;
    };
    if (n <= k_sum_block) return block_sum(0, n);
    const int64_t blocks = (n + k_sum_block - 1) / k_sum_block;
    std::vector<double> partial(static_cast<std::size_t>(blocks));
#pragma omp parallel for schedule(static) if (n >= k_parallel_min)
    for (int64_t b = 0; b < blocks; ++b) {
        const int64_t begin = b * k_sum_block;
        const int64_t end = begin + k_sum_block < n ? begin + k_sum_block : n;
        partial[static_cast<std::size_t>(b)] = block_sum(begin, end);
    }
    double total = 0.0;
    for (double p : partial) total += p;
    return total;
}

}  // namespace revgan::kernels::cpu::detail
