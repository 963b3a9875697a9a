/** Distribution summary of the final weights. */
export interface WeightSummary {
  n: number
  sum: number
  min: number | null
  max: number | null
  mean: number | null
  median: number | null
  max_over_min: number | null
  max_over_mean: number | null
  n_over_5x_mean: number
  n_over_10x_mean: number
}

/**
 * Summary of survey weights: n, sum, min, max, mean, median, the largest weight ratios, and how many
 * respondents have a weight above 5× and 10× the mean (the usual checks after raking).
 *
 * Definition: statistics over respondents, given as { count, weight } cells (respondents sharing a weight);
 * median as R's `median` (mean of the two middle values when n is even).
 *
 * Reference: Battaglia, Izrael, Hoaglin & Frankel (2009), "Practical considerations in raking survey data".
 *
 * @param cells { count, weight } per cell.
 * @returns the summary (nulls when n = 0).
 * @throws if a count or weight is negative.
 * @example
 * weightSummary([{ count: 3, weight: 1 }, { count: 1, weight: 5 }]).median // 1
 */
export function weightSummary(cells: ReadonlyArray<{ count: number; weight: number }>): WeightSummary {
  const used = cells.filter((c) => {
    if (!(c.count >= 0) || !(c.weight >= 0))
      throw new Error('weightSummary: counts and weights must be non-negative')
    return c.count > 0
  })
  const n = used.reduce((a, c) => a + c.count, 0)
  const sum = used.reduce((a, c) => a + c.count * c.weight, 0)
  if (n === 0) {
    return {
      n,
      sum,
      min: null,
      max: null,
      mean: null,
      median: null,
      max_over_min: null,
      max_over_mean: null,
      n_over_5x_mean: 0,
      n_over_10x_mean: 0,
    }
  }
  const sorted = used.slice().sort((a, b) => a.weight - b.weight)
  const at = (rank: number): number => {
    let cumulative = 0
    for (const c of sorted) {
      cumulative += c.count
      if (rank < cumulative) return c.weight
    }
    return sorted[sorted.length - 1]!.weight
  }
  const median = n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2
  const min = sorted[0]!.weight
  const max = sorted[sorted.length - 1]!.weight
  const mean = sum / n
  let over5 = 0
  let over10 = 0
  for (const c of used) {
    if (c.weight > 5 * mean) over5 += c.count
    if (c.weight > 10 * mean) over10 += c.count
  }
  return {
    n,
    sum,
    min,
    max,
    mean,
    median,
    max_over_min: min > 0 ? max / min : null,
    max_over_mean: max / mean,
    n_over_5x_mean: over5,
    n_over_10x_mean: over10,
  }
}
