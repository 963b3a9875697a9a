/**
 * Caps (trims) survey weights at a multiple of the mean weight.
 *
 * Definition: with w̄ = Σ nᵢ wᵢ / Σ nᵢ (mean weight over respondents), every weight above c · w̄ is set to
 * c · w̄. Weights are given per raking cell with the number of respondents nᵢ sharing that weight.
 * Used inside raking (each pass is followed by capping, so the margins are re-approached while the
 * cap holds; the margins may then be met only approximately, which the raking result reports).
 *
 * Reference: Kish (1992) "Weighting for unequal Pi", J. Official Statistics 8, 183-200; Battaglia et al.
 * (2009) "Practical considerations in raking survey data" (trimming inside IPF).
 *
 * @param weights weight per cell.
 * @param counts respondents per cell (same length).
 * @param maxRatio the cap as a multiple of the mean weight (> 1).
 * @returns the capped weights (new array) and the number of respondents whose weight was capped.
 * @throws if maxRatio <= 1 or the arrays differ in length.
 * @example
 * capWeights([1, 1, 10], [1, 1, 1], 2) // { weights: [1, 1, 8], nCapped: 1 }
 */
export function capWeights(
  weights: ReadonlyArray<number>,
  counts: ReadonlyArray<number>,
  maxRatio: number,
): { weights: number[]; nCapped: number } {
  if (!(maxRatio > 1)) throw new Error('capWeights: maxRatio must be greater than 1')
  if (weights.length !== counts.length)
    throw new Error('capWeights: weights and counts must have the same length')
  let n = 0
  let sum = 0
  weights.forEach((w, i) => {
    n += counts[i]!
    sum += counts[i]! * w
  })
  if (n === 0) return { weights: weights.slice(), nCapped: 0 }
  const cap = (maxRatio * sum) / n
  let nCapped = 0
  const out = weights.map((w, i) => {
    if (w > cap && counts[i]! > 0) {
      nCapped += counts[i]!
      return cap
    }
    return w
  })
  return { weights: out, nCapped }
}
