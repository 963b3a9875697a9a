import { jacobiEigen } from './jacobi-eigen'
import { solveLinearSystem } from './solve-linear-system'

/**
 * Johnson's relative weights: each predictor's share of R², via the orthogonal counterpart of the predictors.
 *
 * Formulas: R_xx = V diag(λ) Vᵀ (eigen decomposition, Jacobi); Λ = V diag(√λ) Vᵀ (symmetric square root);
 * β* = Λ⁻¹ r_xy; raw_j = Σ_k Λ_jk² β*_k²; Σ_j raw_j = R² of the full OLS model; percent = 100 raw / R².
 *
 * Reference: J. W. Johnson (2000), Multivariate Behavioral Research 35(1), 1-19.
 *
 * @param rxx predictor correlation matrix (p × p).
 * @param rxy correlations of the predictors with the outcome.
 * @returns raw weights, their sum (R²) and percentages.
 * @throws if shapes disagree or R_xx is singular.
 * @example
 * relativeWeights([[1, 0], [0, 1]], [0.5, 0.3]).raw // [0.25, 0.09]
 */
export function relativeWeights(
  rxx: ReadonlyArray<ReadonlyArray<number>>,
  rxy: ReadonlyArray<number>,
): { raw: number[]; sum_raw: number; percent: number[] } {
  const p = rxx.length
  if (rxy.length !== p) throw new Error('relativeWeights: rxx and rxy must match')
  const { values, vectors } = jacobiEigen(rxx)
  if (values.some((v) => !(v > 1e-12)))
    throw new Error('relativeWeights: the predictor correlation matrix is singular')
  const lambda = Array.from({ length: p }, (_, i) =>
    Array.from({ length: p }, (_, j) =>
      values.reduce((acc, ev, k) => acc + vectors[i]![k]! * Math.sqrt(ev) * vectors[j]![k]!, 0),
    ),
  )
  const beta = solveLinearSystem(lambda, [...rxy])
  const raw = lambda.map((row) => row.reduce((acc, l, k) => acc + l * l * beta[k]! * beta[k]!, 0))
  const sum = raw.reduce((a, b) => a + b, 0)
  return { raw, sum_raw: sum, percent: raw.map((r) => (100 * r) / sum) }
}
