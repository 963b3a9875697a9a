import { regularizedGamma } from './regularized-gamma'

/**
 * Upper-tail probability of the chi-square distribution, P(X > x) for X ~ χ²(df)
 * (R's `pchisq(x, df, lower.tail = FALSE)`), the p-value of a chi-square statistic.
 *
 * Formula: P(X > x) = Q(df/2, x/2), the regularized upper incomplete gamma function.
 *
 * Reference: Abramowitz & Stegun 26.4.19.
 *
 * @param x statistic (>= 0; negative values give 1).
 * @param df degrees of freedom (> 0, need not be an integer).
 * @returns the upper-tail probability.
 * @throws if df is not positive or x is NaN.
 * @example
 * chiSquareUpperTail(3.841458820694124, 1) // 0.050000000000000176
 */
export function chiSquareUpperTail(x: number, df: number): number {
  if (!(df > 0)) throw new Error('chiSquareUpperTail: df must be positive')
  if (Number.isNaN(x)) throw new Error('chiSquareUpperTail: x must be a number')
  if (x <= 0) return 1
  return regularizedGamma(df / 2, x / 2, true)
}
