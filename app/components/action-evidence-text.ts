import type { ActionEvidence } from '#app/services/action-evidence.server.ts'

/*
 * The words of a completed action's before/after evidence (CSE 1.3.5), as the insight report gives it
 * (app/services/action-evidence.server.ts): the measure in both waves with its interval, and the tested change
 * in percentage points, called an increase or decrease only when the report's test says so. The dashboard and
 * actions page (app/components/action-evidence.tsx) and the PDF evidence pack (app/services/export-pdf/) print
 * these same strings.
 */
/** An action's status in words (the actions page and the PDF evidence pack). */
export const ACTION_STATUS_LABELS: Record<string, string> = {
  planned: 'Planned',
  in_progress: 'In progress',
  completed: 'Completed',
  dropped: 'Dropped',
}

const pct = (p: number | null) => (p === null ? '–' : `${Math.round(p * 100)}%`)
const signed = (x: number | null) => (x === null ? '–' : `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x)}`)

/** The evidence in two parts (the verdict is emphasised on screen), or null when there is none (see `reason`). */
export function actionEvidenceParts(evidence: ActionEvidence): { lead: string; verdict: string } | null {
  if (evidence.status !== 'ok' || !evidence.before || !evidence.after || !evidence.change) return null
  const { before, after, change } = evidence
  const cell = (c: typeof before.cell) =>
    c.status === 'suppressed' ? 'too few answers to report' : `${pct(c.p)} (between ${pct(c.lower)} and ${pct(c.upper)})`
  return {
    lead: `${evidence.measureLabel}: ${cell(before.cell)} in wave ${before.wave}, ${cell(after.cell)} in wave ${after.wave}. Change ${signed(change.differencePoints)} percentage points (95% interval ${signed(change.lowerPoints)} to ${signed(change.upperPoints)}${change.method === 'design-based' ? ', weighted' : ''}):`,
    verdict:
      change.verdict === 'increase'
        ? 'a clear increase'
        : change.verdict === 'decrease'
          ? 'a clear decrease'
          : 'no clear change',
  }
}

/** The evidence as one sentence, or the reason there is none. */
export function actionEvidenceSentence(evidence: ActionEvidence): string {
  const parts = actionEvidenceParts(evidence)
  return parts ? `${parts.lead} ${parts.verdict}.` : (evidence.reason ?? '')
}
