/*
 * The dashboard's words for a service manager (issue 14, item 6). Every figure they wrap is the insight report's
 * own (app/services/dashboard.server.ts only reshapes it): these functions format and explain, they never
 * compute an estimate, a test or a judgement. The technical names (Holm, Rao-Scott, Kish, design effect,
 * effective base) are kept for the "How this was worked out" panels.
 */

/** A proportion (0–1) as a whole or `digits`-decimal percentage, '–' when absent. */
export const pct = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined ? '–' : `${(x * 100).toFixed(digits)}%`

export const num = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined ? '–' : x.toLocaleString('en-GB', { maximumFractionDigits: digits })

/** Percentage points with their sign ("+4", "−3", "0"). */
export const signed = (x: number | null) =>
  x === null ? '–' : `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x)}`

export const pValue = (p: number | null) => (p === null ? '–' : p < 0.001 ? '< 0.001' : p.toFixed(3))

/** "We can be fairly sure the true figure is between 58% and 66%." */
export function intervalSentence(lower: number | null, upper: number | null): string {
  if (lower === null || upper === null) return 'There are too few answers to give a range.'
  return `We can be fairly sure the true figure is between ${pct(lower)} and ${pct(upper)}.`
}

export const SIGNIFICANCE_TEXT = {
  higher: 'higher than the rest of customers, and the difference is unlikely to be chance',
  lower: 'lower than the rest of customers, and the difference is unlikely to be chance',
} as const

/** The report's trend verdict in words (the report states a change only when its test does). */
export function changeSentence(change: {
  latest: string
  previous: string
  differencePoints: number | null
  lowerPoints: number | null
  upperPoints: number | null
  verdict: 'increase' | 'decrease' | 'no_clear_change'
}): string {
  const range =
    change.lowerPoints === null || change.upperPoints === null
      ? ''
      : ` We can be fairly sure the true change is between ${signed(change.lowerPoints)} and ${signed(change.upperPoints)} points.`
  const moved = `${change.latest} against ${change.previous}: ${signed(change.differencePoints)} percentage points`
  if (change.verdict === 'increase') return `${moved}, a clear increase (unlikely to be chance).${range}`
  if (change.verdict === 'decrease') return `${moved}, a clear decrease (unlikely to be chance).${range}`
  return `${moved}: no clear change (a difference this size could be chance).${range}`
}

/** The report's target verdict (analysis/judge-target.ts judges it on the interval) in words. */
export function targetSentence(target: number, verdict: string | null, wave: string | null): string {
  const of = wave ? ` in ${wave}` : ''
  if (verdict === 'met')
    return `Target ${pct(target)}: met${of}. Even the low end of the range is at or above the target.`
  if (verdict === 'below_target')
    return `Target ${pct(target)}: below target${of}. Even the high end of the range is below the target.`
  if (verdict === 'not_demonstrably_different')
    return `Target ${pct(target)}: not clearly met or missed${of}. The range includes the target.`
  return `Target ${pct(target)}: cannot be judged${of} (too few answers).`
}
