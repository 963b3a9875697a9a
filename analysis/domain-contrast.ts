import type { SurveyDesign } from './create-survey-design'
import { chiSquareUpperTail } from './chi-square-upper-tail'
import { linearisedCovariance } from './linearised-covariance'
import { normalQuantile } from './normal-quantile'

/** A design-based contrast of two weighted domain proportions (domain a minus domain b). */
export interface DomainContrast {
  p_a: number | null
  p_b: number | null
  /** raked linearisation SEs of each domain proportion (equal to se_raked of analysis/weighted-proportion.ts) */
  se_a: number | null
  se_b: number | null
  /** p_a - p_b */
  difference: number | null
  /** √(var_a + var_b - 2 cov_ab), the covariance from the same linearisation */
  se_difference: number | null
  /** difference / se_difference (null when the SE is 0) */
  z: number | null
  /** two-sided normal p-value 2 Φ(-|z|) */
  p_value: number | null
  /** Wald interval difference ∓ z_(1+level)/2 · se_difference (not clipped) */
  ci: { lower: number | null; upper: number | null }
}

/**
 * Contrast of the weighted proportions satisfied in two disjoint domains (a group and the rest of the sample,
 * or the latest and the previous wave) under a raked design, with a Wald z test, as R survey 4.1.1
 * `svycontrast(svyglm(y ~ 0 + domain, design), c(-1, 1))` on the calibrated design.
 *
 * Definition: p_d = Σ_{i∈d} wᵢ yᵢ / W_d. The influence value of p_d is u_{d,i} = 1{i∈d} (yᵢ - p_d) / W_d.
 * Under raking each influence value is replaced by its GREG residual on the raking-margin indicators, and
 * Cov(p_a, p_b) = n/(n-1) Σ (e_{a,i} - ē_a)(e_{b,i} - ē_b) over all n respondents. The two domains are
 * disjoint, but the calibration residuals are not, so cov_ab is not zero. Computed here with
 * {@link linearisedCovariance} on the combined domain a ∪ b with the four means
 * m = (mean of 1{a}y, mean of 1{a}, mean of 1{b}y, mean of 1{b}), p_a = m₁/m₂, p_b = m₃/m₄; the delta method
 * gradient g_a = (1/m₂, -p_a/m₂, 0, 0), g_b = (0, 0, 1/m₄, -p_b/m₄) turns their influence values into u_a and
 * u_b exactly, so Var(p_a - p_b) = (g_a - g_b)ᵀ Σ (g_a - g_b).
 * z = (p_a - p_b) / se, p-value = 2 Φ(-|z|) = P(χ²₁ > z²), interval (p_a - p_b) ∓ Φ⁻¹((1 + level)/2) se.
 *
 * Reference: Lumley (2010) Complex Surveys §2.3 (domains), §7.3 (calibration); Binder (1983); Deville &
 * Särndal (1992); R survey 4.1.1 `svyglm`, `svycontrast` (tests/fixtures/oracle-public/README.md,
 * `weighted_vs_rest` and `weighted_trend`).
 *
 * @param design the raked design.
 * @param aSatisfied satisfied (y = 1) respondents of domain a per raking cell.
 * @param aNotSatisfied valid, not satisfied (y = 0) respondents of domain a per raking cell.
 * @param bSatisfied satisfied respondents of domain b per raking cell.
 * @param bNotSatisfied valid, not satisfied respondents of domain b per raking cell.
 * @param level confidence level of the interval (default 0.95).
 * @returns proportions, SEs, difference, its SE, z, p-value and interval (nulls where not computable, e.g. an
 *   empty domain).
 * @throws if an array does not have one entry per cell, the domains overlap beyond a cell's count, or the
 *   level is outside (0, 1).
 * @example
 * domainContrast(design, groupSat, groupNot, restSat, restNot).p_value
 */
export function domainContrast(
  design: SurveyDesign,
  aSatisfied: ArrayLike<number>,
  aNotSatisfied: ArrayLike<number>,
  bSatisfied: ArrayLike<number>,
  bNotSatisfied: ArrayLike<number>,
  level = 0.95,
): DomainContrast {
  const C = design.cells.length
  for (const x of [aSatisfied, aNotSatisfied, bSatisfied, bNotSatisfied]) {
    if (x.length !== C) throw new Error('domainContrast: every count array needs one entry per raking cell')
  }
  if (!(level > 0 && level < 1)) throw new Error('domainContrast: level must be in (0, 1)')
  const J = 4
  const counts = new Float64Array(C * J)
  let na = 0
  let nb = 0
  for (let c = 0; c < C; c++) {
    counts[c * J] = aSatisfied[c]!
    counts[c * J + 1] = aNotSatisfied[c]!
    counts[c * J + 2] = bSatisfied[c]!
    counts[c * J + 3] = bNotSatisfied[c]!
    na += aSatisfied[c]! + aNotSatisfied[c]!
    nb += bSatisfied[c]! + bNotSatisfied[c]!
  }
  const values = [
    [1, 1, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 1],
    [0, 0, 0, 1],
  ]
  const lin = linearisedCovariance(design, counts, values, true)
  const m = lin.means
  const V = lin.covariance
  const empty: DomainContrast = {
    p_a: null,
    p_b: null,
    se_a: null,
    se_b: null,
    difference: null,
    se_difference: null,
    z: null,
    p_value: null,
    ci: { lower: null, upper: null },
  }
  if (!m) return empty
  const pa = na > 0 && m[1]! > 0 ? m[0]! / m[1]! : null
  const pb = nb > 0 && m[3]! > 0 ? m[2]! / m[3]! : null
  const quad = (g: number[]): number | null => {
    if (!V) return null
    let s = 0
    for (let q = 0; q < J; q++) for (let r = 0; r < J; r++) s += g[q]! * V[q]![r]! * g[r]!
    return Math.sqrt(Math.max(s, 0))
  }
  const ga = pa === null ? null : [1 / m[1]!, -pa / m[1]!, 0, 0]
  const gb = pb === null ? null : [0, 0, 1 / m[3]!, -pb / m[3]!]
  const out: DomainContrast = {
    ...empty,
    p_a: pa,
    p_b: pb,
    se_a: ga ? quad(ga) : null,
    se_b: gb ? quad(gb) : null,
  }
  if (pa === null || pb === null || !ga || !gb) return out
  const difference = pa - pb
  const se = quad(ga.map((x, q) => x - gb[q]!))
  out.difference = difference
  out.se_difference = se
  if (se === null || !(se > 0)) return out
  const z = difference / se
  const half = normalQuantile((1 + level) / 2) * se
  out.z = z
  out.p_value = chiSquareUpperTail(z * z, 1)
  out.ci = { lower: difference - half, upper: difference + half }
  return out
}
