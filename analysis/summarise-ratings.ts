import { codeRating, type ScaleCoding } from './code-rating'

/** Unweighted summary of the answers of one group to one rating. */
export interface RatingSummary {
  /** respondents in the group, including don't know */
  n_rows: number
  /** valid base: non-missing answers */
  n_valid: number
  n_satisfied: number
  n_neither: number
  n_dissatisfied: number
  /** n_satisfied / n_valid (null when n_valid = 0) */
  p_satisfied: number | null
  p_dissatisfied: number | null
  /** p_satisfied - p_dissatisfied, on the proportion scale */
  net: number | null
  /** mean of the valid ratings */
  mean_score: number | null
}

/**
 * Summarises answer counts: valid base, counts and proportions satisfied / dissatisfied, net and mean score.
 *
 * Definitions: n_valid = Σ counts of non-missing values; p_satisfied = n_satisfied / n_valid;
 * p_dissatisfied = n_dissatisfied / n_valid; net = p_satisfied - p_dissatisfied;
 * mean_score = Σ value × count / n_valid. Proportions are plain double divisions (not rounded).
 * With n_valid = 0 every proportion is null (not computable).
 *
 * Reference: oracle README "unweighted"; PRODUCT.md §4 "Coding".
 *
 * @param counts answer counts; value null = don't know.
 * @param scale the coding of the scale.
 * @returns the summary.
 * @throws if a count is negative or a value is outside the scale.
 * @example
 * summariseRatings([{ value: 5, count: 3 }, { value: 2, count: 1 }, { value: null, count: 1 }],
 *   { satisfied: [4, 5], neither: [3], dissatisfied: [1, 2] })
 * // { n_rows: 5, n_valid: 4, n_satisfied: 3, ..., p_satisfied: 0.75, net: 0.5, mean_score: 4.25 }
 */
export function summariseRatings(
  counts: ReadonlyArray<{ value: number | null; count: number }>,
  scale: ScaleCoding,
): RatingSummary {
  let nRows = 0
  let nSat = 0
  let nNeither = 0
  let nDis = 0
  let total = 0
  for (const { value, count } of counts) {
    if (!(count >= 0) || !Number.isFinite(count))
      throw new Error('summariseRatings: counts must be non-negative')
    nRows += count
    let code
    try {
      code = codeRating(value, scale)
    } catch {
      throw new Error(`summariseRatings: rating ${String(value)} is outside the scale`)
    }
    if (code === 'dont_know') continue
    total += (value as number) * count
    if (code === 'satisfied') nSat += count
    else if (code === 'neither') nNeither += count
    else nDis += count
  }
  const nValid = nSat + nNeither + nDis
  const pSat = nValid > 0 ? nSat / nValid : null
  const pDis = nValid > 0 ? nDis / nValid : null
  return {
    n_rows: nRows,
    n_valid: nValid,
    n_satisfied: nSat,
    n_neither: nNeither,
    n_dissatisfied: nDis,
    p_satisfied: pSat,
    p_dissatisfied: pDis,
    net: pSat !== null && pDis !== null ? pSat - pDis : null,
    mean_score: nValid > 0 ? total / nValid : null,
  }
}
