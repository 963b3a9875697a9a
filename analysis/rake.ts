import { capWeights } from './cap-weights'

/** Options of {@link rake}. */
export interface RakeOptions {
  /** convergence tolerance; values < 1 are multiplied by the sum of the initial weights (R's rule). Default 1e-10. */
  epsilon?: number
  /** maximum number of full passes over the margins. Default 1000. */
  maxPasses?: number
  /** optional weight cap as a multiple of the mean weight, applied after every pass. */
  cap?: number
}

/** Result of {@link rake}. */
export interface RakeResult {
  /** final weight per input cell (every respondent of a cell has this weight) */
  weights: number[]
  converged: boolean
  /** passes done; when converged, the smallest R `maxit` that converges */
  passes: number
  epsilonAbsolute: number
  maxAbsMarginError: number
  margins: Record<string, Record<string, { population: number; weighted_total: number; sample_n: number }>>
  nCapped: number
  warnings: string[]
}

/**
 * Rakes (iterative proportional fitting) cell weights to known population margins, with R's stopping rule.
 *
 * Algorithm (as `survey::rake`, starting from weights 1): each pass post-stratifies on every raking
 * variable in turn, multiplying the weights of a level by population / current weighted total. After each
 * pass the weighted cross-table of all raking variables is compared with the one before the pass; the
 * algorithm stops (converged) when the largest absolute change of a cell is below epsilon (epsilon < 1 is
 * multiplied by the sum of the initial weights, i.e. n), or reports non-convergence after maxPasses.
 * Works on aggregates: respondents of the same raking cell (combination of levels) share one weight.
 *
 * Reference: Deming & Stephan (1940), Ann. Math. Statist. 11, 427-444; R survey 4.1.1 `rake()`
 * (Lumley 2010, Complex Surveys §7.3).
 *
 * @param cells raking cells: levels in `variables` order and respondent counts.
 * @param variables raking variable names.
 * @param margins population counts: margins[variable][level].
 * @param options epsilon, maxPasses, cap.
 * @returns weights per cell, convergence, passes and achieved margins.
 * @throws if a population level has no respondents (the margin cannot be met), a sample level is absent
 *   from the population, or a margin is missing or negative.
 * @example
 * rake([{ rakingCell: ['a'], count: 2 }, { rakingCell: ['b'], count: 1 }], ['v'], { v: { a: 10, b: 20 } }).weights
 * // [5, 20]
 */
export function rake(
  cells: ReadonlyArray<{ rakingCell: ReadonlyArray<string>; count: number }>,
  variables: ReadonlyArray<string>,
  margins: Readonly<Record<string, Readonly<Record<string, number>>>>,
  options: RakeOptions = {},
): RakeResult {
  const epsilon = options.epsilon ?? 1e-10
  const maxPasses = options.maxPasses ?? 1000
  if (!(epsilon > 0)) throw new Error('rake: epsilon must be positive')
  if (!Number.isInteger(maxPasses) || maxPasses < 1)
    throw new Error('rake: maxPasses must be a positive integer')
  const counts = cells.map((c) => {
    if (c.rakingCell.length !== variables.length)
      throw new Error('rake: each cell needs one level per raking variable')
    if (!(c.count >= 0)) throw new Error('rake: counts must be non-negative')
    return c.count
  })
  const n = counts.reduce((a, b) => a + b, 0)
  if (n === 0) throw new Error('rake: there are no respondents')
  const warnings: string[] = []
  // level index of each cell for each variable, and the population count of each level
  const levelIndex: number[][] = cells.map(() => [])
  const populations: number[][] = []
  const sampleN: number[][] = []
  const levelNames: string[][] = []
  const totals: number[] = []
  // first: every sample level must exist in the population
  variables.forEach((variable, v) => {
    const margin = margins[variable]
    if (!margin) throw new Error(`rake: no population margin for raking variable "${variable}"`)
    cells.forEach((cell, c) => {
      const level = cell.rakingCell[v]!
      if (counts[c]! > 0 && !Object.hasOwn(margin, level)) {
        throw new Error(`rake: sample level "${level}" of ${variable} is absent from the population margins`)
      }
    })
  })
  variables.forEach((variable, v) => {
    const margin = margins[variable]!
    const names = Object.keys(margin)
    const pops = names.map((level) => {
      const p = margin[level]!
      if (!(p >= 0) || !Number.isFinite(p))
        throw new Error(`rake: population count of ${variable} = "${level}" must be non-negative`)
      return p
    })
    const sn = new Array<number>(names.length).fill(0)
    cells.forEach((cell, c) => {
      const level = cell.rakingCell[v]!
      const k = names.indexOf(level)
      if (k < 0) {
        if (counts[c]! > 0)
          throw new Error(
            `rake: sample level "${level}" of ${variable} is absent from the population margins`,
          )
        levelIndex[c]!.push(-1)
        return
      }
      levelIndex[c]!.push(k)
      sn[k] = sn[k]! + counts[c]!
    })
    names.forEach((level, k) => {
      if (sn[k] === 0 && pops[k]! > 0) {
        throw new Error(
          `rake: population level "${level}" of ${variable} has no respondents, so the margin cannot be met`,
        )
      }
    })
    levelNames.push(names)
    populations.push(pops)
    sampleN.push(sn)
    totals.push(pops.reduce((a, b) => a + b, 0))
  })
  if (totals.some((t) => Math.abs(t - totals[0]!) > 1e-9 * Math.max(1, totals[0]!))) {
    warnings.push('population margins have different totals; the last raking variable decides the total')
  }
  const epsilonAbsolute = epsilon < 1 ? epsilon * n : epsilon
  let weights = cells.map(() => 1)
  let oldTable = counts.map((k, c) => k * weights[c]!)
  let converged = false
  let passes = 0
  let nCapped = 0
  while (passes < maxPasses) {
    passes++
    variables.forEach((_, v) => {
      const current = new Array<number>(populations[v]!.length).fill(0)
      cells.forEach((_, c) => {
        const k = levelIndex[c]![v]!
        if (k >= 0) current[k] = current[k]! + counts[c]! * weights[c]!
      })
      weights = weights.map((w, c) => {
        const k = levelIndex[c]![v]!
        if (k < 0 || current[k] === 0) return w
        return w * (populations[v]![k]! / current[k]!)
      })
    })
    if (options.cap !== undefined) {
      const capped = capWeights(weights, counts, options.cap)
      weights = capped.weights
      nCapped = capped.nCapped
    }
    const newTable = counts.map((k, c) => k * weights[c]!)
    let delta = 0
    newTable.forEach((x, c) => {
      delta = Math.max(delta, Math.abs(x - oldTable[c]!))
    })
    oldTable = newTable
    if (delta < epsilonAbsolute) {
      converged = true
      break
    }
  }
  if (!converged) warnings.push(`raking did not converge after ${maxPasses} passes`)
  let maxAbsMarginError = 0
  const achieved: RakeResult['margins'] = {}
  variables.forEach((variable, v) => {
    const out: Record<string, { population: number; weighted_total: number; sample_n: number }> = {}
    const current = new Array<number>(populations[v]!.length).fill(0)
    cells.forEach((_, c) => {
      const k = levelIndex[c]![v]!
      if (k >= 0) current[k] = current[k]! + counts[c]! * weights[c]!
    })
    levelNames[v]!.forEach((level, k) => {
      out[level] = { population: populations[v]![k]!, weighted_total: current[k]!, sample_n: sampleN[v]![k]! }
      maxAbsMarginError = Math.max(maxAbsMarginError, Math.abs(current[k]! - populations[v]![k]!))
    })
    achieved[variable] = out
  })
  return {
    weights,
    converged,
    passes,
    epsilonAbsolute,
    maxAbsMarginError,
    margins: achieved,
    nCapped,
    warnings,
  }
}
