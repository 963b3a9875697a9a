/** Advisory flag of a result by its unweighted valid base. */
export type SmallBaseFlag = 'ok' | 'low_base' | 'suppressed'

/** Flag of one group and why it is suppressed. */
export interface SmallBaseDecision {
  flag: SmallBaseFlag
  /** 'primary' = base under the suppression threshold; 'secondary' = suppressed so that a primary-suppressed
   * group cannot be recovered by subtraction from the total and the other groups */
  suppression: 'primary' | 'secondary' | null
}

/**
 * Small-base rules with secondary suppression, for the groups of one segment.
 *
 * Rules (PRODUCT.md §4, thresholds are organisation settings): base < lowBase (default 50) is flagged
 * "low base: treat with caution"; base < suppress (default 10) is suppressed (no count, % or comment shown or
 * exported). Secondary suppression: when the total is shown and exactly one group is suppressed, it could be
 * recovered by subtraction, so the next-smallest group (ties: the first) is suppressed too.
 * The flags are advisory: machine-readable output keeps every number.
 *
 * Reference: ONS (2006) Statistical disclosure control; Hundepool et al. (2012) Statistical Disclosure
 * Control §5 (primary and secondary cell suppression).
 *
 * @param bases unweighted valid bases of the groups of one segment.
 * @param options lowBase, suppress, totalShown (default true).
 * @returns one decision per group, in input order.
 * @throws if thresholds or bases are negative.
 * @example
 * smallBaseFlags([5, 30, 400]).map((d) => d.flag) // ['suppressed', 'suppressed', 'ok']
 */
export function smallBaseFlags(
  bases: ReadonlyArray<number>,
  options: { lowBase?: number; suppress?: number; totalShown?: boolean } = {},
): SmallBaseDecision[] {
  const lowBase = options.lowBase ?? 50
  const suppress = options.suppress ?? 10
  const totalShown = options.totalShown ?? true
  if (!(lowBase >= 0) || !(suppress >= 0)) throw new Error('smallBaseFlags: thresholds must be non-negative')
  const out: SmallBaseDecision[] = bases.map((n) => {
    if (!(n >= 0)) throw new Error('smallBaseFlags: bases must be non-negative')
    if (n < suppress) return { flag: 'suppressed', suppression: 'primary' }
    if (n < lowBase) return { flag: 'low_base', suppression: null }
    return { flag: 'ok', suppression: null }
  })
  const primary = out.filter((d) => d.suppression === 'primary').length
  if (totalShown && primary === 1 && bases.length > 1) {
    let pick = -1
    bases.forEach((n, i) => {
      if (out[i]!.flag === 'suppressed') return
      if (pick < 0 || n < bases[pick]!) pick = i
    })
    if (pick >= 0) out[pick] = { flag: 'suppressed', suppression: 'secondary' }
  }
  return out
}
