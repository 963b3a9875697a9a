import type { SurveyDesign } from './create-survey-design'
import { linearisedCovariance } from './linearised-covariance'

/** A weighted proportion with its two standard errors. */
export interface WeightedProportion {
  n_valid: number
  sum_weights_valid: number
  p_satisfied: number | null
  /** calibration-adjusted linearisation SE (R: svymean on the rake() design) */
  se_raked: number | null
  /** weights-only linearisation SE (R: svydesign(ids=~1, weights=~w)) */
  se_weights_only: number | null
}

/**
 * Weighted proportion of a domain (e.g. % satisfied in a group), with the weights-only and the raked
 * (calibration-adjusted) linearisation standard errors, from cell aggregates.
 *
 * Formulas: p = Σ wᵢ yᵢ / Σ wᵢ over valid domain rows. se_weights_only² = n/(n-1) Σ wᵢ² (yᵢ - p)² / W²
 * (n = all respondents, domain padded with zeros); se_raked² = n/(n-1) Σ (eᵢ - ē)², eᵢ = wᵢ(vᵢ - Mᵢb), the GREG
 * residuals of vᵢ = (yᵢ - p)/W on the raking-margin indicators (see {@link linearisedCovariance}).
 *
 * Reference: R survey 4.1.1 `svymean`/`svyby` (Lumley 2010 §2.3, §7.3); Deville & Särndal (1992).
 *
 * @param design the raked design.
 * @param satisfied satisfied (y = 1) respondents of the domain per raking cell.
 * @param notSatisfied valid, not satisfied (y = 0) respondents of the domain per raking cell.
 * @returns n_valid, Σw, p and both SEs (nulls when the domain is empty).
 * @throws if the arrays do not have one entry per cell.
 * @example
 * weightedProportion(design, [3, 0], [1, 2]).p_satisfied
 */
export function weightedProportion(
  design: SurveyDesign,
  satisfied: ArrayLike<number>,
  notSatisfied: ArrayLike<number>,
): WeightedProportion {
  const C = design.cells.length
  if (satisfied.length !== C || notSatisfied.length !== C) {
    throw new Error('weightedProportion: satisfied and notSatisfied need one count per raking cell')
  }
  const counts = new Float64Array(2 * C)
  for (let c = 0; c < C; c++) {
    counts[2 * c] = satisfied[c]!
    counts[2 * c + 1] = notSatisfied[c]!
  }
  const values = [[1], [0]]
  const raked = linearisedCovariance(design, counts, values, true)
  const plain = linearisedCovariance(design, counts, values, false)
  const se = (r: typeof raked): number | null => {
    const v = r.covariance?.[0]?.[0]
    return v === undefined ? null : Math.sqrt(Math.max(v, 0))
  }
  return {
    n_valid: raked.nDomain,
    sum_weights_valid: raked.sumWeights,
    p_satisfied: raked.means?.[0] ?? null,
    se_raked: se(raked),
    se_weights_only: se(plain),
  }
}
