// Scalar forms shared by the reference kernels (docs/math.md, "Numerically safe forms"): the loss
// is evaluated from z (softplus), σ never overflows. Mirrors native/math.h.

/** σ(z) and softplus(z) = log(1 + e^z) from one exponential e = e^(−|z|). */
export function sigmoidSoftplus(z: number): { sigma: number; softplus: number } {
  const e = Math.exp(-Math.abs(z));
  return { sigma: z >= 0 ? 1 / (1 + e) : e / (1 + e), softplus: (z > 0 ? z : 0) + Math.log1p(e) };
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
