// The bodies of the SimdKernels, plain loops the compiler vectorizes and, for the logistic sweep, generic vectors. Included by
// simd_avx512.cc, simd_avx2.cc and simd_baseline.cc, each inside its own namespace and with its
// own -march; BLASNET_SIMD_NS and BLASNET_SIMD_NAME name it.
#include <cmath>
#include <cstring>

#include "math.h"
#include "simd.h"
#include "vmath.h"

namespace blasnet {
namespace BLASNET_SIMD_NS {

static void sigmoid_inplace(double* __restrict a, size_t n) {
  for (size_t i = 0; i < n; ++i) a[i] = sigmoid_fast(a[i]);
}

static void tanh_inplace(double* __restrict a, size_t n) {
  for (size_t i = 0; i < n; ++i) a[i] = tanh_fast(a[i]);
}

// ---- The logistic sweep ------------------------------------------------------------------------
// Each example's dot product is summed in eight lanes: lane i accumulates x_k·w_k over k ≡ i (mod 8)
// in increasing k, and the eight lane sums are added by one fixed tree, T(a) = ((a0+a4) + (a1+a5)) +
// ((a2+a6) + (a3+a7)). A level holds the eight lanes in 8/VW native vectors of VW doubles (GCC/Clang
// generic vectors: one zmm, two ymm or four xmm) and does the same lane-wise IEEE operations, so the
// order of every addition is fixed by this source, not by the instruction set: every level gives the
// same bits.
#if defined(__AVX512F__)
#define BLASNET_VW 8
#elif defined(__AVX__)
#define BLASNET_VW 4
#else
#define BLASNET_VW 2
#endif
static constexpr size_t VW = BLASNET_VW;
static constexpr size_t kParts = 8 / VW;
typedef double vd __attribute__((vector_size(VW * sizeof(double))));
typedef long long vl __attribute__((vector_size(VW * sizeof(long long))));
typedef unsigned long long vu __attribute__((vector_size(VW * sizeof(long long))));
// The same vector at any address (an unaligned load or store; may alias doubles).
typedef double vd_u __attribute__((vector_size(VW * sizeof(double)), aligned(8), may_alias));
typedef double v4d __attribute__((vector_size(4 * sizeof(double))));

static inline vd loadv(const double* p) { return *reinterpret_cast<const vd_u*>(p); }
static inline void storev(double* p, vd v) { *reinterpret_cast<vd_u*>(p) = v; }

// Eight lanes as kParts native vectors.
struct Oct {
  vd p[kParts];
};
__attribute__((always_inline)) static inline Oct load8(const double* x) {
  Oct o;
  for (size_t i = 0; i < kParts; ++i) o.p[i] = loadv(x + i * VW);
  return o;
}
__attribute__((always_inline)) static inline void store8(double* x, const Oct& o) {
  for (size_t i = 0; i < kParts; ++i) storev(x + i * VW, o.p[i]);
}

// Examples per register block: the accumulators of kBlock examples stay in registers (8 zmm of 32;
// 16 ymm at AVX2): 8 gives the most independent chains without spilling more than it gains. Only
// the schedule depends on it, never a value.
static constexpr size_t kBlock = 8;
// Examples per tile of the sweep (see logistic_rows): a whole number of blocks.
static constexpr size_t kTile = 32;

// Lane moves. __builtin_shufflevector is GCC 12's and Clang's; GCC 10 (Debian 11's, which builds the
// packed prebuilds: scripts/bullseye.sh) has __builtin_shuffle, whose result is as wide as its inputs,
// and the width-changing moves are then byte copies the compiler turns into the same extracts and
// inserts. They only move values: every form gives the same bits.
#if defined(__has_builtin)
#if __has_builtin(__builtin_shufflevector)
#define BLASNET_HAVE_SHUFFLEVECTOR 1
#endif
#endif
typedef long long v4l __attribute__((vector_size(4 * sizeof(long long))));
// (a0, a2, b0, b2) and (a1, a3, b1, b3).
__attribute__((always_inline)) static inline v4d evens(v4d a, v4d b) {
#ifdef BLASNET_HAVE_SHUFFLEVECTOR
  return __builtin_shufflevector(a, b, 0, 2, 4, 6);
#else
  return __builtin_shuffle(a, b, v4l{0, 2, 4, 6});
#endif
}
__attribute__((always_inline)) static inline v4d odds(v4d a, v4d b) {
#ifdef BLASNET_HAVE_SHUFFLEVECTOR
  return __builtin_shufflevector(a, b, 1, 3, 5, 7);
#else
  return __builtin_shuffle(a, b, v4l{1, 3, 5, 7});
#endif
}
#if BLASNET_VW == 8
// The low and high four lanes of eight, and eight lanes from two fours.
__attribute__((always_inline)) static inline v4d lo4(vd a) {
#ifdef BLASNET_HAVE_SHUFFLEVECTOR
  return __builtin_shufflevector(a, a, 0, 1, 2, 3);
#else
  v4d r;
  std::memcpy(&r, &a, sizeof r);
  return r;
#endif
}
__attribute__((always_inline)) static inline v4d hi4(vd a) {
#ifdef BLASNET_HAVE_SHUFFLEVECTOR
  return __builtin_shufflevector(a, a, 4, 5, 6, 7);
#else
  v4d r;
  std::memcpy(&r, reinterpret_cast<const char*>(&a) + sizeof r, sizeof r);
  return r;
#endif
}
__attribute__((always_inline)) static inline vd cat8(v4d a, v4d b) {
#ifdef BLASNET_HAVE_SHUFFLEVECTOR
  return __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7);
#else
  vd r;
  std::memcpy(&r, &a, sizeof a);
  std::memcpy(reinterpret_cast<char*>(&r) + sizeof a, &b, sizeof b);
  return r;
#endif
}
#elif BLASNET_VW == 2
// Lanes 2k, 2k + 1 of four.
template <int k>
__attribute__((always_inline)) static inline vd pair(v4d a) {
#ifdef BLASNET_HAVE_SHUFFLEVECTOR
  return __builtin_shufflevector(a, a, 2 * k, 2 * k + 1);
#else
  return vd{a[2 * k], a[2 * k + 1]};
#endif
}
#endif

// h = (a0+a4, a1+a5, a2+a6, a3+a7), the first level of T.
__attribute__((always_inline)) static inline v4d halves(const Oct& a) {
#if BLASNET_VW == 8
  return lo4(a.p[0]) + hi4(a.p[0]);
#elif BLASNET_VW == 4
  return a.p[0] + a.p[1];
#else
  const vd lo = a.p[0] + a.p[2], hi = a.p[1] + a.p[3];
  return v4d{lo[0], lo[1], hi[0], hi[1]};
#endif
}

// z (NB / VW vectors: examples VW·i .. VW·i + VW − 1 in z[i]) = T(acc[q]) for NB examples, batched:
// with h = halves(acc[q]), T = (h0+h1) + (h2+h3), four examples at a time by shuffles across
// examples. The sums stay in registers: σ runs on them directly (no scalar stores read back as a
// vector, which would stall store forwarding).
template <size_t NB>
__attribute__((always_inline)) static inline void lane_sums(const Oct* acc, vd* z) {
  static_assert(NB % 4 == 0 && NB % VW == 0, "blocks of four examples and of whole vectors");
  v4d t[NB / 4];
  for (size_t g = 0; g < NB / 4; ++g) {
    v4d h[4], u[2];
    for (size_t q = 0; q < 4; ++q) h[q] = halves(acc[4 * g + q]);
    for (size_t p = 0; p < 2; ++p)
      u[p] = evens(h[2 * p], h[2 * p + 1]) + odds(h[2 * p], h[2 * p + 1]);
    // u[p] = (h0+h1, h2+h3) of example 4g+2p, then of 4g+2p+1
    t[g] = evens(u[0], u[1]) + odds(u[0], u[1]);
  }
#if BLASNET_VW == 8
  for (size_t i = 0; i < NB / 8; ++i) z[i] = cat8(t[2 * i], t[2 * i + 1]);
#elif BLASNET_VW == 4
  for (size_t i = 0; i < NB / 4; ++i) z[i] = t[i];
#else
  for (size_t g = 0; g < NB / 4; ++g) {
    z[2 * g] = pair<0>(t[g]);
    z[2 * g + 1] = pair<1>(t[g]);
  }
#endif
}

// T(a) of one example.
__attribute__((always_inline)) static inline double lane_sum(const Oct& a) {
  const v4d h = halves(a);
  return (h[0] + h[1]) + (h[2] + h[3]);
}

// The tail chunk x[m8 .. m8 + 8) of a row (p = x + m8) with the lanes past m set to 0: read straight
// from X when those eight doubles lie before `end` (the lanes past m are then the next row's and
// are masked off), else through a zeroed copy.
__attribute__((always_inline)) static inline Oct tail_chunk(const double* p, const double* end, size_t r, const vl* mask) {
  Oct x;
  if (p + 8 <= end) {
    x = load8(p);
    for (size_t i = 0; i < kParts; ++i) x.p[i] = mask[i] ? x.p[i] : vd{};
    return x;
  }
  double t[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (size_t i = 0; i < r; ++i) t[i] = p[i];
  return load8(t);
}

// Sums one sweep carries from block to block, in eight lanes: within a tile or block (whose example
// count is a multiple of 8), example e of it goes to lane e mod 8, and a lone example (past the last
// whole block) to lane 0; at the end the lanes are added by T. The same lanes and order at every
// level, so the same bits; vector additions instead of a serial chain of scalar ones per example.
struct SweepSums {
  Oct cost, dz, z;
};

// acc += x ⊙ w and t += d·x, lane by lane.
__attribute__((always_inline)) static inline void mul_add(Oct& acc, const Oct& x, const Oct& w) {
  for (size_t i = 0; i < kParts; ++i) acc.p[i] += x.p[i] * w.p[i];
}
__attribute__((always_inline)) static inline void scale_add(Oct& acc, double d, const Oct& x) {
  for (size_t i = 0; i < kParts; ++i) acc.p[i] += d * x.p[i];
}

// What every block of one sweep shares.
struct Sweep {
  size_t m, m8, r;      // features; m rounded down to 8; m − m8
  size_t ld;            // row stride of X (≥ m)
  const double* w;      // (m)
  Oct w_tail;           // w[m8 .. m), zeros after
  vl mask[kParts];      // all ones in the r lanes of the tail chunk
  const double* end;    // the end of this sweep's rows in X
  double b;
  bool want_cost;
  double* dw;           // (round_up(m, 8)) accumulated; the lanes past m are scratch
};

// z (NB / VW vectors) = x_q · w + b for examples g0 .. g0 + NB − 1 (x0 = X + g0·m): their NB dot
// products against each 8-chunk of w (w loaded once per chunk, NB independent accumulator chains),
// the lane sums batched. Each example's additions happen in the same order whatever NB is.
template <size_t NB>
__attribute__((always_inline)) static inline void block_z(const Sweep& s, const double* __restrict x0, vd* z) {
  const size_t ld = s.ld, m8 = s.m8;
  Oct acc[NB];
  for (size_t q = 0; q < NB; ++q)
    for (size_t i = 0; i < kParts; ++i) acc[q].p[i] = vd{};
  // The next block's rows are fetched while this one is summed, one prefetch per chunk read: one
  // block ahead hides the latency; further ahead evicts rows still in use.
  const double* next = x0 + NB * ld;
  const bool prefetch = next + NB * ld <= s.end;
  for (size_t k = 0; k < m8; k += 8) {
    const Oct wk = load8(s.w + k);
    for (size_t q = 0; q < NB; ++q) mul_add(acc[q], load8(x0 + q * ld + k), wk);
    if (prefetch)
      for (size_t q = 0; q < NB; ++q) __builtin_prefetch(next + q * ld + k);
  }
  if (s.r)
    for (size_t q = 0; q < NB; ++q) mul_add(acc[q], tail_chunk(x0 + q * ld + m8, s.end, s.r, s.mask), s.w_tail);
  lane_sums<NB>(acc, z);
  for (size_t i = 0; i < NB / VW; ++i) z[i] += s.b;
}

// dz (NZ) = σ(z) − y for NZ examples whose z are in NZ / VW vectors (yq = y + g0), and the loss, from
// one exponential, a vector at a time: the vectors are independent, so their exponentials overlap
// (one vector alone is a chain of dependent operations). The sums take the examples in order.
template <size_t NZ>
__attribute__((always_inline)) static inline void tile_dz(const Sweep& s, const vd* z, const double* __restrict yq,
                                                          double* __restrict dz, SweepSums& sums) {
  constexpr size_t NV = NZ / VW;
  vd e[NV], d[NV];
  for (size_t i = 0; i < NV; ++i) e[i] = exp_neg_abs<vu>(z[i]);
  for (size_t i = 0; i < NV; ++i) d[i] = sigmoid_from_e(z[i], e[i]);
  static_assert(NZ % 8 == 0, "whole groups of eight lanes");
  // Vector i holds examples VW·i .. VW·i + VW − 1, i.e. lanes VW·(i mod kParts) onwards: part i mod kParts.
  if (s.want_cost)
    for (size_t i = 0; i < NV; ++i) sums.cost.p[i % kParts] += softplus_from_e(z[i], e[i]) - loadv(yq + i * VW) * z[i];
  for (size_t i = 0; i < NV; ++i) {
    d[i] -= loadv(yq + i * VW);
    storev(dz + i * VW, d[i]);
    sums.dz.p[i % kParts] += d[i];
    sums.z.p[i % kParts] += z[i];
  }
}

// One example at a time (the rows after the last whole block), with the same operations.
__attribute__((always_inline)) static inline void single_dz(const Sweep& s, const double* __restrict x0, const double* __restrict yq,
                                                            double* __restrict dz, SweepSums& sums) {
  Oct acc;
  for (size_t i = 0; i < kParts; ++i) acc.p[i] = vd{};
  for (size_t k = 0; k < s.m8; k += 8) mul_add(acc, load8(x0 + k), load8(s.w + k));
  if (s.r) mul_add(acc, tail_chunk(x0 + s.m8, s.end, s.r, s.mask), s.w_tail);
  const double z = lane_sum(acc) + s.b;
  const double e = exp_neg_abs<uint64_t>(z);
  double d = sigmoid_from_e(z, e);
  if (s.want_cost) sums.cost.p[0][0] += softplus_from_e(z, e) - yq[0] * z;
  d -= yq[0];
  dz[0] = d;
  sums.dz.p[0][0] += d;
  sums.z.p[0][0] += z;
}

// Chunks of dw updated together in block_dw: each chunk's sum over the block's examples is one
// dependent chain of NB additions, so G chunks side by side give G independent chains (the order of
// the additions into each dw[k] is unchanged, hence the bits). G·kParts accumulators stay in
// registers: 4 zmm at AVX-512, 4 ymm at AVX2, 4 xmm at baseline (of 16).
static constexpr size_t kDwGroup = BLASNET_VW == 8 ? 4 : BLASNET_VW == 4 ? 2 : 1;

// Backward half: dw += Σ_q dz_q x_q over the NB rows at x0, kDwGroup chunks at a time (dw loaded and
// stored once per chunk); dw[k] receives the dz_q x_qk in example order, as one example at a time
// would give.
template <size_t NB>
__attribute__((always_inline)) static inline void block_dw(const Sweep& s, const double* __restrict x0,
                                                           const double* __restrict dz) {
  constexpr size_t G = kDwGroup;
  const size_t ld = s.ld, m8 = s.m8;
  double* __restrict dw = s.dw;
  size_t k = 0;
  for (; k + 8 * G <= m8; k += 8 * G) {
    Oct t[G];
    for (size_t g = 0; g < G; ++g) t[g] = load8(dw + k + 8 * g);
    for (size_t q = 0; q < NB; ++q)
      for (size_t g = 0; g < G; ++g) scale_add(t[g], dz[q], load8(x0 + q * ld + k + 8 * g));
    for (size_t g = 0; g < G; ++g) store8(dw + k + 8 * g, t[g]);
  }
  for (; k < m8; k += 8) {
    Oct t = load8(dw + k);
    for (size_t q = 0; q < NB; ++q) scale_add(t, dz[q], load8(x0 + q * ld + k));
    store8(dw + k, t);
  }
  if (s.r) {
    Oct t = load8(dw + m8);
    for (size_t q = 0; q < NB; ++q) scale_add(t, dz[q], tail_chunk(x0 + q * ld + m8, s.end, s.r, s.mask));
    store8(dw + m8, t);
  }
}

// The Sweep of rows [·, j1) of X (m columns, rows ld apart) with w, b, and dw (m rounded up to 8) zeroed.
__attribute__((always_inline)) static inline Sweep make_sweep(const double* X, size_t ld, size_t m, size_t j1, const double* w, double b,
                                                            bool want_cost, double* dw) {
  Sweep s;
  s.m = m;
  s.ld = ld;
  s.m8 = m & ~size_t(7);
  s.r = m & 7;
  s.w = w;
  double wt[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  long long mk[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (size_t i = 0; i < s.r; ++i) {
    wt[i] = w[s.m8 + i];
    mk[i] = -1;
  }
  s.w_tail = load8(wt);
  for (size_t i = 0; i < kParts; ++i) __builtin_memcpy(&s.mask[i], mk + i * VW, sizeof(vl));
  s.end = X + j1 * ld;
  s.b = b;
  s.want_cost = want_cost;
  s.dw = dw;
  const size_t padded = s.m8 + (s.r ? 8 : 0);
  for (size_t k = 0; k < padded; ++k) dw[k] = 0.0;
  return s;
}

// Tiles of kTile examples: the dot products of each block of kBlock, then σ and dz of the whole tile
// (its exponentials overlap), then the tile's dw update while its rows (25 KiB) are in L1. Then whole blocks,
// then one example at a time; every example gets the same operations, and its loss, dz and z go to
// lane (j − j0) mod 8 of the sums (lane 0 for the last < 8), in example order, whether it sits in a
// tile or a block: the bits do not depend on where the tiles fall.
static void logistic_rows(const double* __restrict X, size_t ld, const double* __restrict y, size_t m, size_t j0, size_t j1,
                          const double* __restrict w, double b, bool want_cost, double* __restrict dw,
                          double* cost_out, double* dz_out, double* z_out) {
  Sweep s = make_sweep(X, ld, m, j1, w, b, want_cost, dw);
  SweepSums sums;
  for (size_t i = 0; i < kParts; ++i) sums.cost.p[i] = sums.dz.p[i] = sums.z.p[i] = vd{};
  size_t j = j0;
  for (; j + kTile <= j1; j += kTile) {
    vd z[kTile / VW];
    double dz[kTile];
    for (size_t q = 0; q < kTile; q += kBlock) block_z<kBlock>(s, X + (j + q) * ld, z + q / VW);
    tile_dz<kTile>(s, z, y + j, dz, sums);
    for (size_t q = 0; q < kTile; q += kBlock) block_dw<kBlock>(s, X + (j + q) * ld, dz + q);
  }
  for (; j + kBlock <= j1; j += kBlock) {
    vd z[kBlock / VW];
    double dz[kBlock];
    block_z<kBlock>(s, X + j * ld, z);
    tile_dz<kBlock>(s, z, y + j, dz, sums);
    block_dw<kBlock>(s, X + j * ld, dz);
  }
  for (; j < j1; ++j) {
    double dz[1];
    single_dz(s, X + j * ld, y + j, dz, sums);
    block_dw<1>(s, X + j * ld, dz);
  }
  *cost_out = lane_sum(sums.cost);
  *dz_out = lane_sum(sums.dz);
  *z_out = lane_sum(sums.z);
}

static void sweep_passes(const double* __restrict X, size_t ld, size_t m, size_t n, const double* __restrict w, double* __restrict dw) {
  Sweep s = make_sweep(X, ld, m, n, w, 0.0, false, dw);
  double dz[kBlock];
  for (size_t q = 0; q < kBlock; ++q) dz[q] = 1e-3 * static_cast<double>(q + 1);
  vd z[kBlock / VW];
  vd keep{};
  for (size_t j = 0; j + kBlock <= n; j += kBlock) {
    block_z<kBlock>(s, X + j * ld, z);
    keep += z[0];  // the dot products are used, so they are computed
    block_dw<kBlock>(s, X + j * ld, dz);
  }
  dw[0] += keep[0];
}

static double stream_sum(const double* __restrict a, size_t n) {
  vd acc[8];
  for (size_t i = 0; i < 8; ++i) acc[i] = vd{};
  size_t k = 0;
  for (; k + 8 * VW <= n; k += 8 * VW)
    for (size_t i = 0; i < 8; ++i) acc[i] += loadv(a + k + i * VW);
  double s = 0.0;
  for (size_t i = 0; i < 8; ++i)
    for (size_t l = 0; l < VW; ++l) s += acc[i][l];
  for (; k < n; ++k) s += a[k];
  return s;
}

#undef BLASNET_VW

// The Adam step of simd.h, one plain loop the compiler vectorizes (division and square root are
// correctly rounded in every instruction set, so each level gives the same bits). Finiteness is an
// integer OR over the parameters (x − x is 0 iff x is finite), which vectorizes too, instead of a
// branch or a floating-point sum (whose order would pin the loop to scalar code).
static bool adam_update(double* __restrict theta, const double* __restrict g, double* __restrict m, double* __restrict v, size_t k0,
                        size_t k1, double lr, double b1, double b2, double eps, double r1, double r2) {
  const double a1 = 1.0 - b1, a2 = 1.0 - b2;
  unsigned long long bad = 0;
  for (size_t q = k0; q < k1; ++q) {
    const double gq = g[q];
    const double mq = b1 * m[q] + a1 * gq;
    const double vq = b2 * v[q] + a2 * gq * gq;
    m[q] = mq;
    v[q] = vq;
    const double next = theta[q] - lr * (mq * r1) / (std::sqrt(vq * r2) + eps);
    theta[q] = next;
    bad |= next - next == 0.0 ? 0ull : 1ull;
  }
  return bad == 0;
}

const SimdKernels& kernels() {
  static const SimdKernels k{BLASNET_SIMD_NAME, sigmoid_inplace, tanh_inplace, logistic_rows, adam_update, sweep_passes, stream_sum};
  return k;
}

}  // namespace BLASNET_SIMD_NS
}  // namespace blasnet
