import { chiSquareUpperTail } from './chi-square-upper-tail'
import { normalQuantile } from './normal-quantile'

/** Result of a two-sample test of proportions. */
export interface TwoProportionTest {
  p1: number | null
  p2: number | null
  /** p1 - p2 */
  difference: number | null
  /** Pearson X² of the 2×2 table (= z² of the pooled two-proportion z test) */
  statistic: number | null
  df: 1
  p_value: number | null
  /** unpooled Wald interval of p1 - p2, clipped to [-1, 1] */
  ci: { lower: number | null; upper: number | null }
  warnings: string[]
}

/**
 * Two-sample test of equal proportions, as R's `prop.test(c(x1, x2), c(n1, n2), correct = FALSE)`.
 *
 * Formulas: p̂ = (x1 + x2)/(n1 + n2) pooled; X² = Σ (O - E)²/E over the 2×2 table with
 * E = (n p̂, n (1 - p̂)) per row, which equals z² with z = (p1 - p2)/√(p̂(1-p̂)(1/n1 + 1/n2));
 * p-value = P(χ²₁ > X²). Interval for p1 - p2: (p1 - p2) ± z_(1+level)/2 √(p1(1-p1)/n1 + p2(1-p2)/n2),
 * clipped to [-1, 1]. Warning "Chi-squared approximation may be incorrect" when an expected count < 5.
 * The statistic is null (R: NaN) when p̂ is 0 or 1; everything is null when a base is 0.
 *
 * Reference: R `stats::prop.test`; Agresti (2013) Categorical Data Analysis §3.1.
 *
 * @param x1 successes in sample 1.
 * @param n1 size of sample 1.
 * @param x2 successes in sample 2.
 * @param n2 size of sample 2.
 * @param level confidence level of the interval (default 0.95).
 * @returns the test.
 * @throws if counts are not integers with 0 <= x <= n.
 * @example
 * twoProportionTest(755, 983, 563, 783).p_value // 0.018656592127208712
 */
export function twoProportionTest(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
  level = 0.95,
): TwoProportionTest {
  for (const [x, n] of [
    [x1, n1],
    [x2, n2],
  ] as const) {
    if (!Number.isInteger(n) || n < 0 || !Number.isInteger(x) || x < 0 || x > n) {
      throw new Error('twoProportionTest: counts must be integers with 0 <= x <= n')
    }
  }
  if (!(level > 0 && level < 1)) throw new Error('twoProportionTest: level must be in (0, 1)')
  if (n1 === 0 || n2 === 0) {
    return {
      p1: n1 > 0 ? x1 / n1 : null,
      p2: n2 > 0 ? x2 / n2 : null,
      difference: null,
      statistic: null,
      df: 1,
      p_value: null,
      ci: { lower: null, upper: null },
      warnings: ['a sample has no valid answers'],
    }
  }
  const p1 = x1 / n1
  const p2 = x2 / n2
  const delta = p1 - p2
  const z = normalQuantile((1 + level) / 2)
  const width = z * Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2)
  const pooled = (x1 + x2) / (n1 + n2)
  const observed = [x1, n1 - x1, x2, n2 - x2]
  const expected = [n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled)]
  const warnings = expected.some((e) => e < 5) ? ['Chi-squared approximation may be incorrect'] : []
  let statistic: number | null = 0
  for (let i = 0; i < 4; i++) {
    const e = expected[i] as number
    const d = Math.abs((observed[i] as number) - e)
    statistic += (d * d) / e
  }
  if (!Number.isFinite(statistic)) statistic = null
  return {
    p1,
    p2,
    difference: delta,
    statistic,
    df: 1,
    p_value: statistic === null ? null : chiSquareUpperTail(statistic, 1),
    ci: { lower: Math.max(delta - width, -1), upper: Math.min(delta + width, 1) },
    warnings,
  }
}
