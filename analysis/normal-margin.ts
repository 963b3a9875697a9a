/**
 * Conventional ± margin of error of a proportion under the normal approximation: z √(p(1-p)/n).
 *
 * Formula: margin = z · √(p (1 - p) / n); optionally multiplied by a finite-population factor.
 * The oracle reports it with z = 1.96 and with z = qnorm(0.975).
 *
 * Reference: any survey text, e.g. Cochran (1977) Sampling Techniques §3.
 *
 * @param p proportion in [0, 1].
 * @param n valid base (> 0).
 * @param z normal quantile, default 1.96.
 * @returns the margin (0 when p is 0 or 1).
 * @throws if p is outside [0, 1] or n is not positive.
 * @example
 * normalMargin(0.5, 100) // 0.098
 */
export function normalMargin(p: number, n: number, z = 1.96): number {
  if (!(p >= 0 && p <= 1)) throw new Error('normalMargin: p must be in [0, 1]')
  if (!(n > 0)) throw new Error('normalMargin: n must be positive')
  return z * Math.sqrt((p * (1 - p)) / n)
}
