import { logGamma } from './log-gamma'
import { stirlingCorrection } from './stirling-correction'

/**
 * Natural logarithm of the beta function, log B(a, b) = log Γ(a) + log Γ(b) - log Γ(a + b).
 *
 * When a or b is large the three log-gamma values are large and nearly cancel, so (as R's `lbeta`)
 * the Stirling remainders are combined directly: with p = min(a, b), q = max(a, b), q >= 10:
 * log B = log Γ(p) + c(q) - c(p + q) + p - p log(p + q) + (q - 1/2) log1p(-p / (p + q)), and when both
 * are >= 10 the fully expanded form is used.
 *
 * Reference: R's nmath/lbeta.c; Abramowitz & Stegun 6.2.2.
 *
 * @param a positive shape.
 * @param b positive shape.
 * @returns log B(a, b).
 * @throws if a or b is not positive.
 * @example
 * logBeta(0.5, 0.5) // 1.1447298858493955 (log(pi) to 4e-15)
 */
export function logBeta(a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) throw new Error('logBeta: a and b must be positive')
  const p = Math.min(a, b)
  const q = Math.max(a, b)
  if (p >= 10) {
    const corr = stirlingCorrection(p) + stirlingCorrection(q) - stirlingCorrection(p + q)
    return (
      Math.log(q) * -0.5 +
      0.9189385332046727 +
      corr +
      (p - 0.5) * Math.log(p / (p + q)) +
      q * Math.log1p(-p / (p + q))
    )
  }
  if (q >= 10) {
    const corr = stirlingCorrection(q) - stirlingCorrection(p + q)
    return logGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q))
  }
  return logGamma(p) + logGamma(q) - logGamma(p + q)
}
