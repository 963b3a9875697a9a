/** Coding of the answer scale: which ratings count as satisfied, neither and dissatisfied. */
export interface ScaleCoding {
  satisfied: number[]
  neither: number[]
  dissatisfied: number[]
}

/** Category of one answer; `dont_know` answers (missing / not applicable) are outside the valid base. */
export type RatingCode = 'satisfied' | 'neither' | 'dissatisfied' | 'dont_know'

/**
 * Codes one rating answer into satisfied / neither / dissatisfied / don't know.
 *
 * Definition (PRODUCT.md §4, default 5-point scale): satisfied = 4-5, neither = 3, dissatisfied = 1-2;
 * `null` (empty answer, "don't know", "not applicable") is coded `dont_know` and is outside the valid base.
 * The scale is configurable (e.g. a 7-point scale with satisfied = 5-7).
 *
 * Reference: Customer Service Excellence satisfaction reporting; oracle README "Coding".
 *
 * @param value the rating, or null for don't know.
 * @param scale the coding of the scale.
 * @returns the category.
 * @throws if the value is not null and not on the scale.
 * @example
 * codeRating(4, { satisfied: [4, 5], neither: [3], dissatisfied: [1, 2] }) // 'satisfied'
 */
export function codeRating(value: number | null, scale: ScaleCoding): RatingCode {
  if (value === null) return 'dont_know'
  if (scale.satisfied.includes(value)) return 'satisfied'
  if (scale.neither.includes(value)) return 'neither'
  if (scale.dissatisfied.includes(value)) return 'dissatisfied'
  throw new Error(`codeRating: rating ${String(value)} is outside the scale`)
}
