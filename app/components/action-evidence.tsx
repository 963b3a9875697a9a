import type { ActionEvidence } from '#app/services/action-evidence.server.ts'
import { actionEvidenceParts } from './action-evidence-text.ts'

/*
 * The before/after evidence of a completed action (CSE 1.3.5), in the words of ./action-evidence-text.ts (the
 * PDF evidence pack prints the same), with the verdict emphasised.
 */
export function ActionEvidenceText({ evidence }: { evidence: ActionEvidence }) {
  const parts = actionEvidenceParts(evidence)
  if (!parts) return <p className="small" data-testid="action-evidence-missing">{evidence.reason}</p>
  return (
    <p className="small" data-testid="action-evidence">
      {parts.lead} <strong data-verdict={evidence.change!.verdict}>{parts.verdict}</strong>.
    </p>
  )
}
