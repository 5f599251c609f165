// Vectorizable exp, sigmoid and tanh for the elementwise passes. glibc's scalar tanh is a call per
// value that cannot be vectorized, a large share of an iteration on a network with a wide hidden
// layer; these branch-free forms let the compiler use the vector unit (with target_clones picking
// AVX-512 / AVX2 at load time). Accuracy: a few ulp over the whole range, checked against the
// reference backend (Math.exp/tanh) by the test suite.
// Plain C++, no state; IEEE arithmetic only (no fast-math), so results are reproducible.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace blasnet {

// 1.5·2^52: adding it to a double of magnitude < 2^51 rounds that double to an integer, which then
// sits in the low bits of the sum's representation.
static constexpr double kShift = 6755399441055744.0;

// The forms below are templates over T = double or a GCC/Clang vector of doubles (U: the unsigned
// integer type of T's size), so that a kernel can run them on whole vectors with exactly the
// operations, and therefore the bits, of the scalar form. bcast<T>(c): the constant c as a T.
template <class T>
static inline T bcast(double c) {
  T t{};
  return t + c;  // 0 + c = c for every c but −0, which no constant here is
}

// 2^k as a double, for an integral double k in [−1022, 1023]: the biased exponent k + 1023 is made
// an integer in the low bits by kShift and moved into the exponent field. Only 64-bit adds and
// shifts, which every vector instruction set has.
template <class U, class T>
static inline T pow2_t(T k) {
  const T v = k + (1023.0 + kShift);
  U bits;
  std::memcpy(&bits, &v, sizeof bits);
  bits <<= 52;
  T d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// e^x for every double x: x = k·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor polynomial of degree 13
// (truncation < 2^−60 on that interval), times 2^k applied in two halves so that results in the
// subnormal range and overflow to +∞ come out right. NaN in, NaN out.
template <class U, class T>
static inline T exp_fast_t(T x) {
  const T xc = x < -746.0 ? bcast<T>(-746.0) : (x > 710.0 ? bcast<T>(710.0) : x);  // NaN passes through
  const T k = (xc * 1.4426950408889634 + kShift) - kShift;                            // round(x / ln2)
  const T r = (xc - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
  T p = bcast<T>(1.0 / 6227020800.0);  // 1/13!
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const T k1 = (k * 0.5 + kShift) - kShift, k2 = k - k1;  // both in [−539, 513]
  const T e = (p * pow2_t<U>(k1)) * pow2_t<U>(k2);
  return x != x ? x : e;
}

// log(1 + e) for e ∈ [0, 1] (the range softplus needs): with s = e/(2 + e) ∈ [0, 1/3],
// log(1 + e) = 2·atanh(s) = 2s·(1 + s²/3 + s⁴/5 + …), summed through s^36 (the rest < 2^−58 relative).
// The polynomial in x = s² (coefficients 1/3, 1/5, …, 1/37) is evaluated by Estrin's scheme, in
// pairs, pairs of pairs, …: five levels of dependent operations instead of Horner's eighteen, so a
// vector of these costs its throughput, not a long latency chain (the logistic sweep's loss).
template <class T>
static inline T log1p_unit_t(T e) {
  const T s = e / (2.0 + e), x = s * s;
  const T x2 = x * x, x4 = x2 * x2, x8 = x4 * x4, x16 = x8 * x8;
  // q_i = c_2i + c_2i+1·x with c_k = 1/(2k + 3)
  const T q0 = 1.0 / 3 + x * (1.0 / 5), q1 = 1.0 / 7 + x * (1.0 / 9), q2 = 1.0 / 11 + x * (1.0 / 13);
  const T q3 = 1.0 / 15 + x * (1.0 / 17), q4 = 1.0 / 19 + x * (1.0 / 21), q5 = 1.0 / 23 + x * (1.0 / 25);
  const T q6 = 1.0 / 27 + x * (1.0 / 29), q7 = 1.0 / 31 + x * (1.0 / 33), q8 = 1.0 / 35 + x * (1.0 / 37);
  const T r0 = q0 + x2 * q1, r1 = q2 + x2 * q3, r2 = q4 + x2 * q5, r3 = q6 + x2 * q7;
  const T t0 = r0 + x4 * r1, t1 = r2 + x4 * r3;
  const T p = (t0 + x8 * t1) + x16 * q8;
  return 2.0 * s + 2.0 * s * (x * p);
}

// σ(z) from e = e^(−|z|): 1/(1+e) for z ≥ 0, e/(1+e) below (no overflow anywhere).
template <class T>
static inline T sigmoid_from_e(T z, T e) {
  const T inv = 1.0 / (1.0 + e);
  return z >= 0.0 ? inv : e * inv;
}

// softplus(z) = log(1 + e^z) = max(z, 0) + log1p(e^(−|z|)) from e = e^(−|z|), exact in form for
// every finite z (docs/math.md, "Numerically safe forms").
template <class T>
static inline T softplus_from_e(T z, T e) {
  return (z > 0.0 ? z : T{}) + log1p_unit_t(e);
}

// e^(−|z|), the one exponential σ and softplus share.
template <class U, class T>
static inline T exp_neg_abs(T z) {
  return exp_fast_t<U>(z < 0.0 ? z : -z);
}

template <class U, class T>
static inline T softplus_fast_t(T z) {
  return softplus_from_e(z, exp_neg_abs<U>(z));
}

// σ(z) = 1/(1 + e^(−z)) without overflow.
template <class U, class T>
static inline T sigmoid_fast_t(T z) {
  return sigmoid_from_e(z, exp_neg_abs<U>(z));
}

static inline double pow2(double k) { return pow2_t<uint64_t>(k); }
static inline double exp_fast(double x) { return exp_fast_t<uint64_t>(x); }
static inline double log1p_unit(double e) { return log1p_unit_t(e); }
static inline double softplus_fast(double z) { return softplus_fast_t<uint64_t>(z); }
static inline double sigmoid_fast(double z) { return sigmoid_fast_t<uint64_t>(z); }

// tanh(z): for |z| < 1/8 its odd Taylor series through z^15 (next term < 2^−57 relative); above,
// sign(z)·(1 − e)/(1 + e) with e = e^(−2|z|), where the cancellation in 1 − e costs at most ~2 bits.
static inline double tanh_fast(double z) {
  const double az = z < 0 ? -z : z;
  const double e = exp_fast(-2.0 * az);
  const double big = (1.0 - e) / (1.0 + e);
  const double z2 = z * z;
  double p = 6404582.0 / 10854718875.0;
  p = p * z2 - 929569.0 / 638512875.0;
  p = p * z2 + 21844.0 / 6081075.0;
  p = p * z2 - 1382.0 / 155925.0;
  p = p * z2 + 62.0 / 2835.0;
  p = p * z2 - 17.0 / 315.0;
  p = p * z2 + 2.0 / 15.0;
  p = p * z2 - 1.0 / 3.0;
  const double small = z + z * z2 * p;
  const double t = az < 0.125 ? small : (z < 0 ? -big : big);
  return z != z ? z : t;
}

// In place over n values: a ← σ(a), a ← tanh(a). Built for several instruction sets (vmath.cc).
void sigmoid_inplace(double* a, size_t n);
void tanh_inplace(double* a, size_t n);

}  // namespace blasnet
