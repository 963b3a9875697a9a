/** Kish summary of the weights of a group. */
export interface KishSummary {
  n: number
  sum_w: number
  sum_w2: number
  /** effective sample size (Σw)² / Σw² */
  ess: number | null
  /** design effect due to weighting n / ess = n Σw² / (Σw)² */
  deff: number | null
}

/**
 * Kish effective sample size and design effect due to unequal weighting.
 *
 * Formulas: ess = (Σ wᵢ)² / Σ wᵢ²; deff = n / ess = n Σ wᵢ² / (Σ wᵢ)² = 1 + CV²(w) (CV with divisor n).
 * Input per weight cell: respondents sharing one weight, so it works from aggregates.
 *
 * Reference: L. Kish (1965) Survey Sampling §11.7; Kish (1992), J. Official Statistics 8, 183-200.
 *
 * @param cells { count, weight } per cell.
 * @returns n, Σw, Σw², ess and deff (nulls when n = 0).
 * @throws if a count or weight is negative.
 * @example
 * kishEffectiveSampleSize([{ count: 2, weight: 1 }, { count: 2, weight: 3 }]) // ess 3.2, deff 1.25
 */
export function kishEffectiveSampleSize(
  cells: ReadonlyArray<{ count: number; weight: number }>,
): KishSummary {
  let n = 0
  let sw = 0
  let sw2 = 0
  for (const { count, weight } of cells) {
    if (!(count >= 0) || !(weight >= 0))
      throw new Error('kishEffectiveSampleSize: counts and weights must be non-negative')
    n += count
    sw += count * weight
    sw2 += count * weight * weight
  }
  if (n === 0 || sw2 === 0) return { n, sum_w: sw, sum_w2: sw2, ess: null, deff: null }
  return { n, sum_w: sw, sum_w2: sw2, ess: (sw * sw) / sw2, deff: (n * sw2) / (sw * sw) }
}
