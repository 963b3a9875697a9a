/** Verdict of a result against a target. */
export type TargetVerdict = 'met' | 'below_target' | 'not_demonstrably_different'

/**
 * Judges a satisfaction result against a target using its confidence interval, never the point estimate alone.
 *
 * Rule (PRODUCT.md §4 "Targets"): "met" when the lower bound >= target; "below target" when the upper bound
 * < target; otherwise "not demonstrably different". Returns null when the interval is not computable (n = 0).
 *
 * Reference: PRODUCT.md §4; Newcombe (1998) on interval-based comparisons with a fixed value.
 *
 * @param interval the interval of the proportion (e.g. Wilson, or p ± margin of a weighted estimate).
 * @param target target proportion in [0, 1].
 * @returns the verdict, or null.
 * @throws if the target is outside [0, 1].
 * @example
 * judgeTarget({ lower: 0.7255, upper: 0.7661 }, 0.7) // 'met'
 */
export function judgeTarget(
  interval: { lower: number | null; upper: number | null },
  target: number,
): TargetVerdict | null {
  if (!(target >= 0 && target <= 1)) throw new Error('judgeTarget: target must be in [0, 1]')
  if (interval.lower === null || interval.upper === null) return null
  if (interval.lower >= target) return 'met'
  if (interval.upper < target) return 'below_target'
  return 'not_demonstrably_different'
}
