import type { InsightReport, ReportCell, TrendChange } from '#analysis/insight-report-types.ts'
import type { Database } from '#db/client.ts'
import type { SurveyActionRow } from '#db/queries/actions.ts'
import { loadInsight, type InsightOptions } from './insight.server.ts'

/*
 * The evidence of a completed action (CSE 1.3.5, issue 14 item 2): its measure in the wave before and the wave
 * after it, with the change tested and judged on its interval. The change is the insight engine's trend test
 * (analysis/report-trends.ts: two-proportion test, or the design-based contrast when weighted), taken from an
 * insight report: the dashboard's own report when the two waves are its previous and latest waves, otherwise the
 * report of just those two waves (and of the action's customer group, for a group finding). Nothing is tested here.
 */

export interface ActionEvidence {
  status: 'ok' | 'not_applicable' | 'unavailable'
  /** plain English: why there is no evidence */
  reason: string | null
  measure: string | null
  measureLabel: string | null
  before: { wave: string; cell: ReportCell } | null
  after: { wave: string; cell: ReportCell } | null
  change: TrendChange | null
}

const none = (status: ActionEvidence['status'], reason: string, measure: string | null = null): ActionEvidence => ({
  status,
  reason,
  measure,
  measureLabel: null,
  before: null,
  after: null,
  change: null,
})

/** The measure an action's evidence is about: the chosen one, else its measure or driver, else overall for a group. */
export function evidenceMeasure(action: SurveyActionRow, overall: string): string | null {
  if (action.measure) return action.measure
  if (action.findingKind === 'measure' || action.findingKind === 'driver') return action.finding
  if (action.findingKind === 'group') return overall
  return null
}

/**
 * The before/after evidence of one action.
 *
 * @param dashboard the unfiltered report the dashboard shows (its trend is reused when the waves match), or
 *   null when the view at hand is filtered.
 */
export async function actionEvidence(
  db: Database,
  organisationId: string,
  surveyId: string,
  action: SurveyActionRow,
  dashboard: Pick<InsightReport, 'meta' | 'trends'> | null,
  meta: Pick<InsightReport['meta'], 'overall' | 'ratings'>,
  /** the weighting and confidence of the view at hand, so evidence for other waves matches its report */
  view: Pick<InsightOptions, 'weighted' | 'confidence'> = {},
): Promise<ActionEvidence> {
  const measure = evidenceMeasure(action, meta.overall)
  if (!measure) return none('not_applicable', 'No measure is tracked for this action.')
  if (!meta.ratings.some((r) => r.name === measure))
    return none('unavailable', 'The tracked measure is not in this survey.', measure)
  if (!action.waveBefore || !action.waveAfter)
    return none('unavailable', 'Choose the wave before and the wave after the action to see the change.', measure)
  const group = action.findingKind === 'group' ? action.finding.split('=') : null
  const segment = group?.[0] ?? null
  const value = group ? group.slice(1).join('=') : null
  let report: Pick<InsightReport, 'meta' | 'trends' | 'status' | 'withheldReason'> | null = null
  if (
    dashboard &&
    !group &&
    dashboard.meta.previousWave === action.waveBefore &&
    dashboard.meta.latestWave === action.waveAfter
  )
    report = { ...dashboard, status: 'ok', withheldReason: null }
  else {
    const insight = await loadInsight(db, organisationId, surveyId, {
      ...view,
      filters: {
        waves: [action.waveBefore, action.waveAfter],
        ...(segment !== null && value !== null ? { segments: { [segment]: [value] } } : {}),
      },
    })
    report = insight?.report ?? null
  }
  if (!report) return none('unavailable', 'The survey could not be read.', measure)
  if (report.status === 'withheld') return none('unavailable', report.withheldReason ?? 'These figures are withheld.', measure)
  if (report.meta.previousWave !== action.waveBefore || report.meta.latestWave !== action.waveAfter)
    return none(
      'unavailable',
      `The wave after (${action.waveAfter}) must come after the wave before (${action.waveBefore}), and both must have responses.`,
      measure,
    )
  const trend = report.trends.find((t) => t.rating === measure)
  const point = (wave: string) => {
    const p = trend?.points.find((x) => x.wave === wave)
    return p ? { wave, cell: p.cell } : null
  }
  const before = point(action.waveBefore)
  const after = point(action.waveAfter)
  return {
    status: trend?.change ? 'ok' : 'unavailable',
    reason: trend?.change ? null : 'Too few answers in one of the waves to test the change.',
    measure,
    measureLabel: trend?.label ?? measure,
    before,
    after,
    change: trend?.change ?? null,
  }
}
