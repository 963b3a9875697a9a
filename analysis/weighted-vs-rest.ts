import type { SurveyDesign } from './create-survey-design'
import { domainContrast } from './domain-contrast'
import { pAdjustBh } from './p-adjust-bh'
import { pAdjustHolm } from './p-adjust-holm'

/** Satisfied and valid-but-not-satisfied respondents of one domain, per raking cell. */
export interface DomainCounts {
  satisfied: ArrayLike<number>
  notSatisfied: ArrayLike<number>
}

/** One group against the rest of the sample under the raked design. */
export interface WeightedVsRest {
  p_group: number | null
  p_rest: number | null
  se_group: number | null
  se_rest: number | null
  /** p_group - p_rest (proportion scale) */
  difference: number | null
  se_difference: number | null
  z: number | null
  p_value: number | null
  ci95: { lower: number | null; upper: number | null }
  /** Holm / Benjamini-Hochberg adjusted over the groups of the segment with a p-value */
  p_holm: number | null
  p_bh: number | null
}

/**
 * Each group of a segment against the rest of the sample, as a design-based contrast of two weighted domain
 * proportions under the raked design (Wald z), with Holm and BH adjustment over the segment's groups.
 * "Rest" = every respondent with a valid answer who is not in the group (valid answers of the whole sample
 * minus the group's, per raking cell), as the unweighted group-vs-rest test in analysis/satisfaction-table.ts.
 *
 * Formula: for group g, see analysis/domain-contrast.ts with a = g, b = rest:
 * difference = p_g - p_rest, se_difference = √(var_g + var_rest - 2 cov) from the calibration (GREG)
 * linearisation, z = difference / se_difference, p = 2 Φ(-|z|), ci95 = difference ∓ Φ⁻¹(0.975) se_difference.
 * p_holm, p_bh: R `p.adjust(p, "holm")`, `p.adjust(p, "BH")` over the groups' non-null p-values.
 *
 * Reference: R survey 4.1.1 `svyglm(sat ~ 0 + in_group, subset(design, !is.na(rating)))` and
 * `svycontrast(m, c(-1, 1))` (tests/fixtures/oracle-public/README.md, `weighted_vs_rest`); Lumley (2010) §2.3,
 * §7.3; Holm (1979); Benjamini & Hochberg (1995).
 *
 * @param design the raked design.
 * @param groups per group of the segment, satisfied / not satisfied counts per raking cell.
 * @param all the same counts for every respondent with a valid answer (the whole sample).
 * @returns one contrast per group, in input order (all-null fields for a group with no valid answer or no
 *   rest).
 * @throws if an array does not have one entry per raking cell, or a group count exceeds the whole sample's.
 * @example
 * weightedVsRest(design, [{ satisfied: phoneSat, notSatisfied: phoneNot }, ...], { satisfied, notSatisfied })[0].p_holm
 */
export function weightedVsRest(
  design: SurveyDesign,
  groups: ReadonlyArray<DomainCounts>,
  all: DomainCounts,
): WeightedVsRest[] {
  const C = design.cells.length
  if (all.satisfied.length !== C || all.notSatisfied.length !== C)
    throw new Error('weightedVsRest: the whole-sample counts need one entry per raking cell')
  const out = groups.map((g) => {
    if (g.satisfied.length !== C || g.notSatisfied.length !== C)
      throw new Error('weightedVsRest: every group needs one count per raking cell')
    const restSat = new Float64Array(C)
    const restNot = new Float64Array(C)
    for (let c = 0; c < C; c++) {
      restSat[c] = all.satisfied[c]! - g.satisfied[c]!
      restNot[c] = all.notSatisfied[c]! - g.notSatisfied[c]!
      if (restSat[c]! < 0 || restNot[c]! < 0)
        throw new Error('weightedVsRest: a group has more answers than the whole sample in a raking cell')
    }
    const t = domainContrast(design, g.satisfied, g.notSatisfied, restSat, restNot, 0.95)
    return {
      p_group: t.p_a,
      p_rest: t.p_b,
      se_group: t.se_a,
      se_rest: t.se_b,
      difference: t.difference,
      se_difference: t.se_difference,
      z: t.z,
      p_value: t.p_value,
      ci95: t.ci,
      p_holm: null as number | null,
      p_bh: null as number | null,
    }
  })
  const ps = out.map((x) => x.p_value)
  const holm = pAdjustHolm(ps)
  const bh = pAdjustBh(ps)
  out.forEach((x, i) => {
    x.p_holm = holm[i] ?? null
    x.p_bh = bh[i] ?? null
  })
  return out
}
