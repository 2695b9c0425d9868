// One OpenMP team per kernel call, its work cut into fixed chunks that the team's threads take
// one at a time: the CPU conv and transposed-conv kernels split their GEMMs and unfoldings
// themselves, so a call opens one parallel region instead of one per im2col, GEMM and fold,
// OpenBLAS runs single-threaded inside it, and a thread that the OS preempts (another process
// on the machine) only delays the chunk it holds while the others take the rest. The chunks
// depend on the problem alone, never on the thread count, so every chunk is the same GEMM call
// however many threads run: results are bitwise the same with 1 or N threads.
#pragma once

#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace revgan::kernels::cpu::detail {

// Below this many multiply-adds a team costs more than it saves.
inline constexpr int64_t k_team_min_work = int64_t{1} << 20;
// Multiply-adds per chunk: large enough for an efficient GEMM call, small enough that a
// typical conv has several chunks per thread; and at least k_min_chunks chunks whenever a team
// is worth starting, so that a thread running late can be made up for by the others.
inline constexpr int64_t k_chunk_work = int64_t{1} << 22;
inline constexpr int64_t k_min_chunks = 4;
// The narrowest side a chunk gives its GEMM (rows or columns), and the runs of `per_unit`-wide
// units (channels of `taps` rows, slabs of `cols` columns) that reach it.
inline constexpr int64_t k_min_gemm_side = 64;
inline int64_t units_for_min_side(int64_t per_unit) {
  return (k_min_gemm_side + per_unit - 1) / std::max<int64_t>(per_unit, 1);
}

// [begin, end): run i of n units split into `count` nearly equal runs.
struct Share {
  int64_t begin;
  int64_t end;
  int64_t size() const { return end - begin; }
};
inline Share share(int64_t n, int64_t i, int64_t count) { return {n * i / count, n * (i + 1) / count}; }

// `units` (columns, rows or channels) in runs of about k_chunk_work of the `work`, and of at
// least `min_run` units (a GEMM a few columns wide runs far below peak).
struct Chunks {
  int64_t units;
  int64_t count;
  Share operator[](int64_t i) const { return share(units, i, count); }
};
inline Chunks chunks(int64_t units, int64_t work, int64_t min_run = 1) {
  units = std::max<int64_t>(units, 1);
  const int64_t most = std::max<int64_t>(units / std::max<int64_t>(min_run, 1), 1);
  if (work < k_team_min_work) return {units, 1};
  return {units, std::clamp<int64_t>(work / k_chunk_work, std::min(most, k_min_chunks), most)};
}

// Threads worth starting for work cut into at most `most_chunks` pieces (chunks() gives one
// piece to work below k_team_min_work).
inline int team_size(int64_t most_chunks) {
  return static_cast<int>(std::clamp<int64_t>(most_chunks, 1, omp_get_max_threads()));
}

// body() on every thread of a team of (at most) `threads`. With one thread the region is
// inactive (no thread starts) but still a region: for_each_chunk's loop binds to it, not to a
// region the caller may be in (engine/autograd/concurrent_branches.hpp runs branches in one).
template <class Body>
void run_team(int threads, Body&& body) {
#pragma omp parallel num_threads(std::max(threads, 1)) if (threads > 1)
  body();
}

// Inside run_team: body(run) for every chunk, each taken by whichever thread is free; returns
// when the whole team is done (outside a team, runs them all in order).
template <class Body>
void for_each_chunk(const Chunks& c, Body&& body) {
#pragma omp for schedule(dynamic, 1)
  for (int64_t i = 0; i < c.count; ++i) body(c[i]);
}

}  // namespace revgan::kernels::cpu::detail
