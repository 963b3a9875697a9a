import type { ActionEvidence } from '#app/services/action-evidence.server.ts'

/*
 * The before/after evidence of a completed action (CSE 1.3.5), as the insight report gives it
 * (app/services/action-evidence.server.ts): the measure in both waves with its interval, and the tested change
 * in percentage points, called an increase or decrease only when the report's test says so.
 */
const pct = (p: number | null) => (p === null ? '–' : `${Math.round(p * 100)}%`)
const signed = (x: number | null) => (x === null ? '–' : `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x)}`)

export function ActionEvidenceText({ evidence }: { evidence: ActionEvidence }) {
  if (evidence.status !== 'ok' || !evidence.before || !evidence.after || !evidence.change)
    return <p className="small" data-testid="action-evidence-missing">{evidence.reason}</p>
  const { before, after, change } = evidence
  const cell = (c: typeof before.cell) =>
    c.status === 'suppressed' ? 'too few answers to report' : `${pct(c.p)} (between ${pct(c.lower)} and ${pct(c.upper)})`
  return (
    <p className="small" data-testid="action-evidence">
      {evidence.measureLabel}: {cell(before.cell)} in wave {before.wave}, {cell(after.cell)} in wave {after.wave}.
      Change {signed(change.differencePoints)} percentage points (95% interval{' '}
      {signed(change.lowerPoints)} to {signed(change.upperPoints)}
      {change.method === 'design-based' ? ', weighted' : ''}):{' '}
      <strong data-verdict={change.verdict}>
        {change.verdict === 'increase'
          ? 'a clear increase'
          : change.verdict === 'decrease'
            ? 'a clear decrease'
            : 'no clear change'}
      </strong>
      .
    </p>
  )
}
