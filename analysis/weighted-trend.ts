import type { SurveyDesign } from './create-survey-design'
import { domainContrast } from './domain-contrast'

/** Latest wave against the previous one under the raked design. */
export interface WeightedTrend {
  p_latest: number | null
  p_previous: number | null
  /** p_latest - p_previous (proportion scale; × 100 = percentage points) */
  difference: number | null
  se_difference: number | null
  z: number | null
  p_value: number | null
  ci95: { lower: number | null; upper: number | null }
}

/**
 * Change in the weighted proportion satisfied between the previous and the latest wave, as a design-based
 * contrast of two domain proportions under one raked design (raking pooled over waves), with a Wald z test.
 *
 * Formula: see analysis/domain-contrast.ts with a = latest wave, b = previous wave: difference =
 * p_latest - p_previous, se_difference = √(var_latest + var_previous - 2 cov) from the calibration (GREG)
 * linearisation (the covariance is not zero because both waves are raked together), z = difference / se,
 * p = 2 Φ(-|z|), ci95 = difference ∓ Φ⁻¹(0.975) se.
 *
 * Reference: R survey 4.1.1 `svycontrast(svyglm(sat ~ 0 + wave_g, subset(des_raked, !is.na(rating))),
 * latest - previous)` (tests/fixtures/oracle-public/README.md, `weighted_trend`); Lumley (2010) §2.3, §7.3.
 *
 * @param design the raked design (all waves).
 * @param latest satisfied / not satisfied respondents of the latest wave per raking cell.
 * @param previous the same for the previous wave.
 * @returns proportions, difference, its SE, z, p-value and 95% interval (nulls when a wave has no valid
 *   answer or the SE is 0).
 * @throws if an array does not have one entry per raking cell.
 * @example
 * weightedTrend(design, { satisfied: s26, notSatisfied: n26 }, { satisfied: s25, notSatisfied: n25 }).ci95
 */
export function weightedTrend(
  design: SurveyDesign,
  latest: { satisfied: ArrayLike<number>; notSatisfied: ArrayLike<number> },
  previous: { satisfied: ArrayLike<number>; notSatisfied: ArrayLike<number> },
): WeightedTrend {
  const C = design.cells.length
  for (const x of [latest.satisfied, latest.notSatisfied, previous.satisfied, previous.notSatisfied]) {
    if (x.length !== C) throw new Error('weightedTrend: every count array needs one entry per raking cell')
  }
  const t = domainContrast(
    design,
    latest.satisfied,
    latest.notSatisfied,
    previous.satisfied,
    previous.notSatisfied,
    0.95,
  )
  return {
    p_latest: t.p_a,
    p_previous: t.p_b,
    difference: t.difference,
    se_difference: t.se_difference,
    z: t.z,
    p_value: t.p_value,
    ci95: t.ci,
  }
}
