import { pseudoInverseSymmetric } from './pseudo-inverse-symmetric'

/** A raked (or weighted) design held as aggregates: one entry per raking cell. */
export interface SurveyDesign {
  /** all respondents (the n of the with-replacement variance, padded domains included) */
  n: number
  cells: ReadonlyArray<{ levels: ReadonlyArray<number>; count: number; weight: number }>
  /** number of levels of each raking variable */
  levelCounts: ReadonlyArray<number>
  /** offset of each raking variable's first level in the stacked level index */
  levelOffsets: ReadonlyArray<number>
  /**
   * C × L matrix G = A (MᵀM)⁺ with A the cell-by-level incidence: the least-squares fit of any v on the
   * level indicators M has value Σ_l G[c][l] (Mᵀv)_l in cell c.
   */
  projector: number[][]
}

/**
 * Builds a survey design from raking cells (respondent count and final weight per cell), precomputing the
 * projection on the raking-margin indicators needed by the calibration-adjusted (raked) variance.
 *
 * Definition: M is the n × L 0/1 matrix of every level of every raking variable; MᵀM is L × L with
 * (l, l') = number of respondents having both levels, a sum over cells. Its pseudo-inverse (MᵀM is singular:
 * the indicators of each variable sum to the intercept) gives the unique least-squares fitted values.
 * Because initial weights are 1 the regression is unweighted (as the README recipe of survey's raked SE).
 *
 * Reference: Deville & Särndal (1992), JASA 87, 376-382 (calibration, GREG residuals); Lumley (2010) §7.
 *
 * @param cells per raking cell: level index for each raking variable, respondent count and weight.
 * @param levelCounts number of levels of each raking variable.
 * @returns the design.
 * @throws if a level index is out of range, or counts / weights are negative.
 * @example
 * createSurveyDesign([{ levels: [0], count: 2, weight: 5 }, { levels: [1], count: 1, weight: 20 }], [2]).n // 3
 */
export function createSurveyDesign(
  cells: ReadonlyArray<{ levels: ReadonlyArray<number>; count: number; weight: number }>,
  levelCounts: ReadonlyArray<number>,
): SurveyDesign {
  const offsets: number[] = []
  let L = 0
  for (const k of levelCounts) {
    offsets.push(L)
    L += k
  }
  let n = 0
  const mtm = Array.from({ length: L }, () => new Array<number>(L).fill(0))
  const stacked = cells.map((cell) => {
    if (cell.levels.length !== levelCounts.length)
      throw new Error('createSurveyDesign: each cell needs one level per raking variable')
    if (!(cell.count >= 0) || !(cell.weight >= 0))
      throw new Error('createSurveyDesign: counts and weights must be non-negative')
    n += cell.count
    return cell.levels.map((k, v) => {
      if (!Number.isInteger(k) || k < 0 || k >= levelCounts[v]!)
        throw new Error('createSurveyDesign: level index out of range')
      return offsets[v]! + k
    })
  })
  cells.forEach((cell, c) => {
    for (const a of stacked[c]!) for (const b of stacked[c]!) mtm[a]![b] = mtm[a]![b]! + cell.count
  })
  const pinv = pseudoInverseSymmetric(mtm)
  const projector = stacked.map((ls) => {
    const row = new Array<number>(L).fill(0)
    for (const l of ls) for (let j = 0; j < L; j++) row[j] = row[j]! + pinv[l]![j]!
    return row
  })
  return { n, cells, levelCounts, levelOffsets: offsets, projector }
}
