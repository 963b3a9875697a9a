import { regularizedBeta } from './regularized-beta'

/**
 * Two-sided p-value of Student's t statistic, P(|T| > |t|) for T ~ t(df)
 * (R's `2 * pt(abs(t), df, lower.tail = FALSE)`, as in `summary.lm`).
 *
 * Formula: P(|T| > |t|) = I_x(df/2, 1/2) with x = df / (df + t²), 1 - x = t² / (df + t²).
 *
 * Reference: Abramowitz & Stegun 26.7.1.
 *
 * @param t statistic.
 * @param df degrees of freedom (> 0).
 * @returns the two-sided p-value.
 * @throws if df is not positive or t is NaN.
 * @example
 * tTwoSidedP(2.2281388519649385, 10) // 0.05
 */
export function tTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new Error('tTwoSidedP: df must be positive')
  if (Number.isNaN(t)) throw new Error('tTwoSidedP: t must be a number')
  if (!Number.isFinite(t)) return 0
  const t2 = t * t
  return regularizedBeta(df / (df + t2), df / 2, 0.5, false, t2 / (df + t2))
}
