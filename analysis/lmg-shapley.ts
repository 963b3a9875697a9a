import { solveLinearSystem } from './solve-linear-system'

/**
 * Exact Shapley / LMG decomposition of R² over all 2^p subsets of predictors.
 *
 * Formulas: R²(S) = r_Sᵀ R_SS⁻¹ r_S from the correlation matrix (R²(∅) = 0);
 * LMG_j = Σ_{S ⊆ others} |S|! (p - |S| - 1)! / p! · (R²(S ∪ {j}) - R²(S)); Σ_j LMG_j = R²(full).
 *
 * Reference: Lindeman, Merenda & Gold (1980) Introduction to Bivariate and Multivariate Analysis;
 * Grömping (2006), J. Statist. Software 17(1) (relaimpo "lmg").
 *
 * @param rxx predictor correlation matrix (p × p), p <= 20.
 * @param rxy correlations of the predictors with the outcome.
 * @returns raw shares, their sum, percentages, and R² of every subset indexed by bit mask (bit j = predictor j).
 * @throws if p > 20 or shapes disagree.
 * @example
 * lmgShapley([[1, 0], [0, 1]], [0.5, 0.3]).raw // [0.25, 0.09]
 */
export function lmgShapley(
  rxx: ReadonlyArray<ReadonlyArray<number>>,
  rxy: ReadonlyArray<number>,
): { raw: number[]; sum_raw: number; percent: number[]; subsetRSquared: number[] } {
  const p = rxx.length
  if (p > 20) throw new Error('lmgShapley: at most 20 predictors')
  if (rxy.length !== p) throw new Error('lmgShapley: rxx and rxy must match')
  const total = 1 << p
  const r2 = new Array<number>(total).fill(0)
  for (let mask = 1; mask < total; mask++) {
    const idx: number[] = []
    for (let j = 0; j < p; j++) if (mask & (1 << j)) idx.push(j)
    const sub = idx.map((i) => idx.map((j) => rxx[i]![j]!))
    const r = idx.map((i) => rxy[i]!)
    const b = solveLinearSystem(sub, r.slice())
    r2[mask] = b.reduce((acc, bj, k) => acc + bj * r[k]!, 0)
  }
  const factorial = [1]
  for (let i = 1; i <= p; i++) factorial.push(factorial[i - 1]! * i)
  const raw = new Array<number>(p).fill(0)
  for (let mask = 0; mask < total; mask++) {
    let size = 0
    for (let j = 0; j < p; j++) if (mask & (1 << j)) size++
    const weight = (factorial[size]! * factorial[p - size - 1]!) / factorial[p]!
    for (let j = 0; j < p; j++) {
      if (mask & (1 << j)) continue
      raw[j] = raw[j]! + weight * (r2[mask | (1 << j)]! - r2[mask]!)
    }
  }
  const sum = r2[total - 1]!
  return { raw, sum_raw: sum, percent: raw.map((x) => (100 * x) / sum), subsetRSquared: r2 }
}
