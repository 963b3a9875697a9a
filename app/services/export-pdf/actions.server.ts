import { ACTION_STATUS_LABELS, actionEvidenceSentence } from '#app/components/action-evidence-text.ts'
import type { Database } from '#db/client.ts'
import { listActions } from '#db/queries/actions.ts'
import { actionEvidence } from '../action-evidence.server.ts'
import type { ExportContext } from '../export-context.server.ts'
import type { PdfSection } from './sections.server.ts'

/*
 * "You said, we did" in the PDF evidence pack (CSE 1.2.2 and 1.3.5): every action of the survey's series
 * (db/queries/actions.ts) with its status and public wording, and for a completed action its before/after
 * evidence, tested by the insight engine (app/services/action-evidence.server.ts) and worded as on the dashboard
 * (app/components/action-evidence-text.ts).
 */

export interface PdfAction {
  title: string
  status: string
  owner: string
  dueDate: string | null
  publicWording: string
  /** the tested change in words, or why there is none; null for an action not yet completed */
  evidence: string | null
}

/** The actions of the export's survey series, with the evidence of the completed ones. */
export async function loadPdfActions(db: Database, ctx: ExportContext): Promise<PdfAction[]> {
  const report = ctx.insight.report
  const rows = await listActions(db, ctx.organisationId, ctx.survey.seriesId)
  return Promise.all(
    rows.map(async (a) => ({
      title: a.title,
      status: ACTION_STATUS_LABELS[a.status] ?? a.status,
      owner: a.owner,
      dueDate: a.dueDate,
      publicWording: a.publicWording,
      evidence:
        a.status === 'completed'
          ? actionEvidenceSentence(
              // the export's report is the dashboard's default, unfiltered view, so its trend is reused when the waves match
              await actionEvidence(db, ctx.organisationId, ctx.survey.id, a, report, report.meta),
            )
          : null,
    })),
  )
}

export function actionsSection(actions: PdfAction[]): PdfSection {
  return {
    id: 'actions',
    title: 'You said, we did: actions and their effect',
    cseElements: ['1.2.2', '1.3.5'],
    render(out) {
      out.heading('actions', 'You said, we did: actions and their effect', 2)
      out.paragraph('CSE elements evidenced: 1.2.2, 1.3.5', { small: true })
      if (actions.length === 0) {
        out.paragraph('No action has been recorded against the findings of this survey yet.')
        return
      }
      out.paragraph(
        'Each action staff recorded against a finding of this survey, with its owner, due date and status. For a completed action, its measure in the wave before and the wave after it, with the change tested and judged on its interval: a change is stated only when the test shows one.',
      )
      out.table({
        caption: 'Actions taken because of the survey',
        header: ['Action', 'Status', 'Owner', 'Due', 'What we told customers', 'Before and after'],
        rows: actions.map((a) => [
          a.title,
          a.status,
          a.owner,
          a.dueDate ?? '–',
          a.publicWording || '–',
          a.evidence ?? '–',
        ]),
        widths: [2, 1, 1.2, 1.1, 2.6, 3.2],
      })
    },
  }
}
