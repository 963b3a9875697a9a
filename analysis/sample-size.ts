/** One row of the sample-size plan. */
export interface SampleSizeRow {
  margin: number
  /** population size, null = infinite */
  population: number | null
  n0: number
  n0_ceiling: number
  n: number
  n_ceiling: number
}

/**
 * Sample size needed for a ± margin e on a proportion p, with the finite-population correction.
 *
 * Formulas: n₀ = z² p (1 - p) / e²; n = n₀ / (1 + (n₀ - 1)/N) (n = n₀ when N is infinite / null).
 * Also returns the ceilings (the number of completed responses to aim for).
 *
 * Reference: Cochran (1977) Sampling Techniques, eqs. 4.1-4.2; PRODUCT.md §4 "Sample-size planner".
 *
 * @param margin desired margin e in (0, 1).
 * @param population N (>= 1), or null for an infinite population.
 * @param z normal quantile (e.g. qnorm(0.975)).
 * @param p planning proportion, default 0.5 (the most conservative).
 * @returns the plan row.
 * @throws if an argument is out of range.
 * @example
 * sampleSize(0.05, 48000, 1.959963984540054).n_ceiling // 382
 */
export function sampleSize(margin: number, population: number | null, z: number, p = 0.5): SampleSizeRow {
  if (!(margin > 0 && margin < 1)) throw new Error('sampleSize: margin must be in (0, 1)')
  if (population !== null && !(population >= 1))
    throw new Error('sampleSize: population must be >= 1 or null')
  if (!(z > 0)) throw new Error('sampleSize: z must be positive')
  if (!(p >= 0 && p <= 1)) throw new Error('sampleSize: p must be in [0, 1]')
  const n0 = (z * z * p * (1 - p)) / (margin * margin)
  const n = population === null ? n0 : n0 / (1 + (n0 - 1) / population)
  return { margin, population, n0, n0_ceiling: Math.ceil(n0), n, n_ceiling: Math.ceil(n) }
}
