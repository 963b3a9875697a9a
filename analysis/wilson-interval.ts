import { normalQuantile } from './normal-quantile'

/**
 * Wilson score interval for a binomial proportion, without continuity correction, at any confidence level
 * (R's `prop.test(x, n, conf.level = level, correct = FALSE)$conf.int`).
 *
 * Formula: with p = x/n, z = qnorm((1 + level)/2) and z22n = z²/(2n),
 *   lower = (p + z22n - z √(p(1-p)/n + z22n/(2n))) / (1 + 2 z22n),
 *   upper = (p + z22n + z √(p(1-p)/n + z22n/(2n))) / (1 + 2 z22n),
 * with lower = 0 exactly when p = 0 and upper = 1 exactly when p = 1 (as R), clipped to [0, 1].
 *
 * Reference: E. B. Wilson (1927), JASA 22, 209-212; R `stats::prop.test`; Newcombe (1998) method 3.
 *
 * @param x number of successes (integer, 0 <= x <= n).
 * @param n number of trials (non-negative integer); n = 0 gives nulls.
 * @param level confidence level in (0, 1), default 0.95.
 * @returns { lower, upper } (nulls when n = 0).
 * @throws if x, n or level is invalid.
 * @example
 * wilsonInterval(1318, 1766) // { lower: 0.725506129746882, upper: 0.766063324490963 }
 */
export function wilsonInterval(
  x: number,
  n: number,
  level = 0.95,
): { lower: number | null; upper: number | null } {
  if (!Number.isInteger(n) || n < 0) throw new Error('wilsonInterval: n must be a non-negative integer')
  if (!Number.isInteger(x) || x < 0 || x > n)
    throw new Error('wilsonInterval: x must be an integer in [0, n]')
  if (!(level > 0 && level < 1)) throw new Error('wilsonInterval: level must be in (0, 1)')
  if (n === 0) return { lower: null, upper: null }
  const p = x / n
  const z = normalQuantile((1 + level) / 2)
  const z22n = (z * z) / (2 * n)
  const root = z * Math.sqrt((p * (1 - p)) / n + z22n / (2 * n))
  const upper = p >= 1 ? 1 : (p + z22n + root) / (1 + 2 * z22n)
  const lower = p <= 0 ? 0 : (p + z22n - root) / (1 + 2 * z22n)
  return { lower: Math.max(lower, 0), upper: Math.min(upper, 1) }
}
