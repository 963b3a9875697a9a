import type { SurveyDesign } from './create-survey-design'
import { chiSquareUpperTail } from './chi-square-upper-tail'
import { fUpperTail } from './f-upper-tail'
import { linearisedCovariance } from './linearised-covariance'
import { pearsonChiSquare } from './pearson-chi-square'
import { solveLinearSystem } from './solve-linear-system'

/** Rao-Scott corrected tests of independence on a weighted r × c table. */
export interface RaoScottTest {
  /** Pearson X² of the weighted table rescaled to n (all rows of the design) */
  pearson_weighted: number | null
  F: {
    statistic: number | null
    ndf: number | null
    ddf: number | null
    p_value: number | null
    warnings: string[]
  }
  /** as survey 4.1.1 `statistic = "Chisq"`: statistic is X², the p-value uses X² / mean(diag(Δ)) on (r-1)(c-1) df */
  chisq: { statistic: number | null; df: number; p_value: number | null }
  /** the trace of the design-effect matrix Δ and of Δ² */
  trace_delta: number | null
  trace_delta2: number | null
}

/**
 * Rao-Scott second-order (F) and first-order (chi-square) corrected tests of independence for a weighted
 * r × c table under a raked design, built exactly as R survey 4.1.1 `svychisq(..., statistic = "F")`.
 *
 * Construction: X² = Pearson statistic of the weighted table rescaled to total n (all respondents).
 * p̂ = weighted cell proportions (r·c vector), V = their raked linearisation covariance;
 * C = interaction contrasts (the r·c × (r-1)(c-1) interaction columns of the saturated model, residualised
 * on the main effects); D = diag(p̂); Δ = (Cᵀ D⁻¹ C / n)⁻¹ (Cᵀ D⁻¹ V D⁻¹ C), where D⁻¹ has 0 (not 1/0) for a
 * cell whose proportion is 0, as survey's `ifelse(mean == 0, 0, 1/mean)`: a group 100% or 0% satisfied
 * still gets a test (tests/fixtures/rao-scott-empty-cell/make.R checks it against R).
 * F = X² / tr(Δ), ndf = tr(Δ)² / tr(Δ²), ddf = ndf (n_psu - 1) with n_psu = n, p = P(F_{ndf,ddf} > F).
 * Chisq variant: p = P(χ²_{(r-1)(c-1)} > X² / mean(diag Δ)).
 *
 * Reference: Rao & Scott (1984), Ann. Statist. 12, 46-60; Lumley (2010) Complex Surveys §6.2;
 * R survey 4.1.1 `svychisq.survey.design`.
 *
 * @param design the raked design.
 * @param table table[g][s][c]: respondents of row g, column s in raking cell c (valid answers only).
 * @returns the corrected tests (nulls when not computable: no weighted answer, an empty row or column, or a
 *   singular design-effect system).
 * @throws if the table has fewer than 2 rows or columns or the wrong number of cells.
 * @example
 * raoScottTest(design, table).F.p_value
 */
export function raoScottTest(
  design: SurveyDesign,
  table: ReadonlyArray<ReadonlyArray<ArrayLike<number>>>,
): RaoScottTest {
  const R = table.length
  const S = table[0]?.length ?? 0
  const C = design.cells.length
  const df = (R - 1) * (S - 1)
  if (R < 2 || S < 2) throw new Error('raoScottTest: the table must be at least 2 x 2')
  const K = R * S
  // category k = g + R*s (rows vary fastest, as R's interaction / expand.grid)
  const counts = new Float64Array(C * K)
  const weighted = Array.from({ length: R }, () => new Array<number>(S).fill(0))
  for (let g = 0; g < R; g++) {
    if (table[g]!.length !== S) throw new Error('raoScottTest: every row needs the same columns')
    for (let s = 0; s < S; s++) {
      const row = table[g]![s]!
      if (row.length !== C) throw new Error('raoScottTest: one count per raking cell is needed')
      for (let c = 0; c < C; c++) {
        counts[c * K + g + R * s] = row[c]!
        weighted[g]![s] = weighted[g]![s]! + row[c]! * design.cells[c]!.weight
      }
    }
  }
  const n = design.n
  const nullResult = (warning: string): RaoScottTest => ({
    pearson_weighted: null,
    F: { statistic: null, ndf: null, ddf: null, p_value: null, warnings: [warning] },
    chisq: { statistic: null, df, p_value: null },
    trace_delta: null,
    trace_delta2: null,
  })
  const values = Array.from({ length: K }, (_, j) => Array.from({ length: K }, (_, q) => (q === j ? 1 : 0)))
  const lin = linearisedCovariance(design, counts, values, true)
  if (!lin.means || !lin.covariance) return nullResult('no weighted answers')
  const p = lin.means
  // D⁻¹ with 0 where a cell proportion is 0 (survey 4.1.1: iDmat <- diag(ifelse(mean2 == 0, 0, 1/mean2)))
  const inverseP = p.map((x) => (x > 0 ? 1 / x : 0))
  const total = weighted.flat().reduce((a, b) => a + b, 0)
  const pearson = pearsonChiSquare(weighted.map((row) => row.map((x) => (x * n) / total)))
  const X2 = pearson.statistic
  if (X2 === null) return nullResult('the weighted table has an empty row or column')
  // design matrices on the grid (g, s): X1 = intercept + row + column dummies, interaction dummies
  const x1: number[][] = []
  const x12: number[][] = []
  for (let s = 0; s < S; s++) {
    for (let g = 0; g < R; g++) {
      const main = [1]
      for (let a = 1; a < R; a++) main.push(g === a ? 1 : 0)
      for (let b = 1; b < S; b++) main.push(s === b ? 1 : 0)
      x1.push(main)
      const inter: number[] = []
      for (let b = 1; b < S; b++) for (let a = 1; a < R; a++) inter.push(g === a && s === b ? 1 : 0)
      x12.push(inter)
    }
  }
  const P = x1[0]!.length
  const xtx = Array.from({ length: P }, (_, i) =>
    Array.from({ length: P }, (_, j) => x1.reduce((acc, row) => acc + row[i]! * row[j]!, 0)),
  )
  const xty = Array.from({ length: P }, (_, i) =>
    Array.from({ length: df }, (_, j) => x1.reduce((acc, row, k) => acc + row[i]! * x12[k]![j]!, 0)),
  )
  const beta = solveLinearSystem(xtx, xty)
  const cmat = x12.map((row, k) =>
    row.map((v, j) => v - x1[k]!.reduce((acc, xi, i) => acc + xi * beta[i]![j]!, 0)),
  )
  // denom = Cᵀ D⁻¹ C / n ; numr = Cᵀ D⁻¹ V D⁻¹ C
  const dc = cmat.map((row, k) => row.map((v) => v * inverseP[k]!))
  const denom = Array.from({ length: df }, (_, a) =>
    Array.from({ length: df }, (_, b) => dc.reduce((acc, row, k) => acc + row[a]! * cmat[k]![b]!, 0) / n),
  )
  const V = lin.covariance
  const vdc = Array.from({ length: K }, (_, k) =>
    Array.from({ length: df }, (_, b) => V[k]!.reduce((acc, vk, l) => acc + vk * dc[l]![b]!, 0)),
  )
  const numr = Array.from({ length: df }, (_, a) =>
    Array.from({ length: df }, (_, b) => dc.reduce((acc, row, k) => acc + row[a]! * vdc[k]![b]!, 0)),
  )
  let delta: number[][]
  try {
    delta = solveLinearSystem(denom, numr)
  } catch {
    return nullResult('the design-effect matrix is singular; the Rao-Scott test is not computable')
  }
  let tr = 0
  let tr2 = 0
  for (let a = 0; a < df; a++) {
    tr += delta[a]![a]!
    for (let b = 0; b < df; b++) tr2 += delta[a]![b]! * delta[b]![a]!
  }
  const F = X2 / tr
  const ndf = (tr * tr) / tr2
  const ddf = ndf * (n - 1)
  const chisqAdjusted = X2 / (tr / df)
  return {
    pearson_weighted: X2,
    F: { statistic: F, ndf, ddf, p_value: fUpperTail(F, ndf, ddf), warnings: [] },
    chisq: { statistic: X2, df, p_value: chiSquareUpperTail(chisqAdjusted, df) },
    trace_delta: tr,
    trace_delta2: tr2,
  }
}
