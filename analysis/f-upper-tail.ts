import { regularizedBeta } from './regularized-beta'

/**
 * Upper-tail probability of the F distribution, P(X > f) for X ~ F(df1, df2)
 * (R's `pf(f, df1, df2, lower.tail = FALSE)`); df1 and df2 need not be integers (Rao-Scott F).
 *
 * Formula: P(X > f) = I_x(df2/2, df1/2) with x = df2 / (df2 + df1 f), 1 - x = df1 f / (df2 + df1 f)
 * (regularized incomplete beta, both x and 1 - x formed without cancellation).
 *
 * Reference: Abramowitz & Stegun 26.6.2.
 *
 * @param f statistic (>= 0; negative values give 1).
 * @param df1 numerator degrees of freedom (> 0).
 * @param df2 denominator degrees of freedom (> 0).
 * @returns the upper-tail probability.
 * @throws if a df is not positive or f is NaN.
 * @example
 * fUpperTail(4, 2, 10) // 0.05292214940134452
 */
export function fUpperTail(f: number, df1: number, df2: number): number {
  if (!(df1 > 0) || !(df2 > 0)) throw new Error('fUpperTail: degrees of freedom must be positive')
  if (Number.isNaN(f)) throw new Error('fUpperTail: f must be a number')
  if (f <= 0) return 1
  if (f === Infinity) return 0
  const denominator = df2 + df1 * f
  return regularizedBeta(df2 / denominator, df2 / 2, df1 / 2, false, (df1 * f) / denominator)
}
