import type { KeyDriverAggregates } from './aggregates'
import { driverMoments } from './driver-moments'
import { lmgShapley } from './lmg-shapley'
import { olsFromMoments, type OlsFit } from './ols-from-moments'
import { relativeWeights } from './relative-weights'

/** Key-driver results in the oracle's `key_drivers` layout. */
export interface KeyDriverResults {
  wave: string
  outcome: string
  drivers: string[]
  n_complete: number
  n_wave: number
  correlations: Record<string, { pearson: number; spearman: number }>
  ols: OlsFit & { formula: string }
  relative_weights: {
    method: string
    raw: Record<string, number>
    sum_raw: number
    percent: Record<string, number>
  }
  lmg: {
    method: string
    raw: Record<string, number>
    sum_raw: number
    percent: Record<string, number>
    subset_r_squared: Record<string, number>
  }
}

/**
 * Key-driver analysis of the outcome (overall satisfaction) on the driver ratings, unweighted, on complete
 * cases of one wave, from pairwise joint counts: Pearson and Spearman (mid-rank) correlations, OLS with
 * standardised betas, Johnson's relative weights, and the exact Shapley/LMG decomposition of R².
 *
 * Formulas: see {@link driverMoments}, {@link olsFromMoments}, {@link relativeWeights}, {@link lmgShapley};
 * correlations r_ij = S_ij / √(S_ii S_jj) of values (Pearson) and of mid-ranks (Spearman).
 *
 * Reference: Johnson & LeBreton (2004), Organizational Research Methods 7, 238-257 (relative importance);
 * PRODUCT.md §4 "Key drivers".
 *
 * @param aggregates key-driver aggregates (variables = [outcome, ...drivers]).
 * @returns the results.
 * @throws if there are too few complete cases or a correlation matrix is singular.
 * @example
 * keyDriverAnalysis(aggregates.keyDrivers).lmg.percent.delivery
 */
export function keyDriverAnalysis(aggregates: KeyDriverAggregates): KeyDriverResults {
  const { variables } = aggregates
  const [outcome, ...drivers] = variables
  if (outcome === undefined || drivers.length === 0)
    throw new Error('keyDriverAnalysis: an outcome and at least one driver are needed')
  const m = driverMoments(aggregates.pairs, variables)
  if (m.n < drivers.length + 2)
    throw new Error(`keyDriverAnalysis: only ${m.n} complete cases for ${drivers.length} drivers`)
  const corr = (s: number[][]): number[][] =>
    s.map((row, i) => row.map((v, j) => v / Math.sqrt(s[i]![i]! * s[j]![j]!)))
  const r = corr(m.sscp)
  const rr = corr(m.rankSscp)
  const xs = drivers.map((_, j) => j + 1)
  const rxx = xs.map((i) => xs.map((j) => r[i]![j]!))
  const rxy = xs.map((i) => r[i]![0]!)
  const correlations: KeyDriverResults['correlations'] = {}
  drivers.forEach((d, j) => {
    correlations[d] = { pearson: r[j + 1]![0]!, spearman: rr[j + 1]![0]! }
  })
  const ols = olsFromMoments(m.n, m.means, m.sscp, variables, 0, xs)
  const rw = relativeWeights(rxx, rxy)
  const lmg = lmgShapley(rxx, rxy)
  const byName = (values: number[]): Record<string, number> =>
    Object.fromEntries(drivers.map((d, j) => [d, values[j]!]))
  const subset: Record<string, number> = {}
  lmg.subsetRSquared.forEach((value, mask) => {
    const names = drivers.filter((_, j) => mask & (1 << j))
    subset[names.length === 0 ? 'none' : names.join('+')] = value
  })
  return {
    wave: aggregates.wave,
    outcome,
    drivers,
    n_complete: m.n,
    n_wave: aggregates.nWave,
    correlations,
    ols: { formula: `${outcome} ~ ${drivers.join(' + ')}`, ...ols },
    relative_weights: {
      method:
        "Johnson (2000): Lambda = V diag(sqrt(ev)) V' from the Jacobi eigen decomposition of cor(X); beta* = solve(Lambda, cor(X,y)); raw_j = sum_k Lambda[j,k]^2 beta*_k^2",
      raw: byName(rw.raw),
      sum_raw: rw.sum_raw,
      percent: byName(rw.percent),
    },
    lmg: {
      method: 'Exact Shapley/LMG over all 2^p subsets, subset R^2 from the correlation matrix',
      raw: byName(lmg.raw),
      sum_raw: lmg.sum_raw,
      percent: byName(lmg.percent),
      subset_r_squared: subset,
    },
  }
}
