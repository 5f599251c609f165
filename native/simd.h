// Kernels built once per x86 instruction-set level (simd_*.cc compile simd_impl.h with -march
// flags) and chosen once, at load time, for the CPU at hand. All levels are compiled with
// -ffp-contract=off and no fast-math, and every reduction has one order fixed by the source
// (simd_impl.h), so every level gives the same bits: a model trained on an AVX-512 machine and on a
// baseline x86-64 one agree exactly in these kernels (OpenBLAS's own kernels are another matter).
// FMA is left off: the sweep is bound by its loads, and its multiplies and adds already issue on
// separate pipes, so fusing them gains little while changing the bits per SIMD level. No N-API here.
#pragma once
#include <cstddef>

namespace blasnet {

struct SimdKernels {
  const char* name;  // "avx512", "avx2", "baseline" (x86-64); "neon" (arm64: the baseline build, NEON by definition)
  // In place over n values: a ← σ(a), a ← tanh(a) (the forms of vmath.h).
  void (*sigmoid_inplace)(double* a, size_t n);
  void (*tanh_inplace)(double* a, size_t n);
  // Logistic regression over rows [j0, j1) of X (row-major, m columns): dw_part (m, overwritten)
  // = Σ_j dz_j x_j with z_j = x_j·w + b, dz_j = σ(z_j) − y_j; the partial sums of dz and z; and, when
  // want_cost, of the loss softplus(z) − y·z. See logistic.h. dw_part must have room for m rounded
  // up to a multiple of 8 (the entries past m are scratch). Reads no element of X outside rows
  // [j0, j1).
  // Row j of X starts at X + j·ld (ld ≥ m; the values past m in a row, if any, are not read unless
  // ld − m ≥ 8 − m mod 8, and then only multiplied by zeros or added to dw's scratch lanes).
  void (*logistic_rows)(const double* X, size_t ld, const double* y, size_t m, size_t j0, size_t j1, const double* w,
                        double b, bool want_cost, double* dw_part, double* cost, double* dz_sum, double* z_sum);
  // Adam over parameters [k0, k1) (native/optim.cc): m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g·g;
  // θ ← θ − α (m·r1) / (√(v·r2) + ε) with r1 = 1/(1−β1^t), r2 = 1/(1−β2^t) (bias corrections as
  // reciprocals: one division per parameter, not three); g[k] ← the previous θ[k] (so a step can be undone). theta, g,
  // m, v: P values each, updated in place. Returns whether every new θ[k] is finite. The same
  // operations in the same order as the scalar form, all correctly rounded: the same bits at every level.
  bool (*adam_update)(double* theta, const double* g, double* m, double* v, size_t k0, size_t k1, double lr, double b1, double b2,
                      double eps, double r1, double r2);
  // The logistic sweep's two passes alone, for the benchmarks: over rows [0, n) of X (m columns, rows ld apart),
  // block by block, the dot products with w (block_z) and the dw update (block_dw) exactly as
  // logistic_rows runs them, with σ, the loss and the sums left out (dz fixed). dw: room for m
  // rounded up to 8. What the sweep would take if σ and the loss cost nothing.
  void (*sweep_passes)(const double* X, size_t ld, size_t m, size_t n, const double* w, double* dw);
  // Σ a[0..n) by a plain streaming read (eight independent vector sums): the benchmarks' memory
  // floor, the least time any one pass over a buffer of that size can take.
  double (*stream_sum)(const double* a, size_t n);
};

// The kernels for this CPU (BLASNET_SIMD=baseline|avx2|avx512 in the environment forces a level,
// for tests; a level the CPU lacks is never used).
const SimdKernels& simd();

}  // namespace blasnet
