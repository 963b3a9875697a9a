import type { InsightReport } from '#analysis/insight-report-types.ts'
import { themeFrequency, type ThemeBreakdown, type ThemeFrequency } from '#analysis/theme-frequency.ts'
import type { Database } from '#db/client.ts'
import { getReportingThresholds } from '#db/queries/aggregates.ts'
import { countCodedComments, listThemes, type CodedCommentFilters, type ThemeRow, type ThemeScope } from '#db/queries/themes.ts'
import type { CommentQuestion } from './comment-questions.server.ts'
import { label } from './survey-labels.server.ts'

/*
 * Theme frequency of a survey (issue 14, item 3; docs/decisions/025-comment-themes.md): the coded comments
 * counted by PostgreSQL (db/queries/themes.ts), the customer groups and their comment decisions taken from the
 * insight report, and the published figures made once by analysis/theme-frequency.ts. The themes page, the
 * exports and the evidence pack render what this returns; none of them computes or suppresses.
 */

/** The breakdown of coded comments by the driver of their question ('.driver' cannot clash with a segment name). */
export const DRIVER_BREAKDOWN = '.driver'

export interface SurveyThemes {
  themes: ThemeRow[]
  frequency: ThemeFrequency
}

/**
 * The coding frame of a survey and the frequency of each theme by customer group and by driver, under the
 * report's thresholds and comment decisions. `report` is the insight report the view renders (null when the
 * survey has no rating question: then no group can be checked and nothing is published).
 */
export async function loadSurveyThemes(
  db: Database,
  scope: ThemeScope,
  report: InsightReport | null,
  questions: ReadonlyArray<CommentQuestion>,
  /** the report's own wave or date filters, when it is a report of part of the series (a published scope) */
  filters: CodedCommentFilters = {},
): Promise<SurveyThemes> {
  const themes = await listThemes(db, scope.organisationId, scope.surveyId)
  const segments = report?.meta.segments ?? []
  const counts =
    themes.length > 0 && report
      ? await countCodedComments(
          db,
          scope,
          segments.map((s) => s.name),
          questions.map((q) => q.name),
          filters,
        )
      : []
  const driverOf = new Map(questions.map((q) => [q.name, q.driver ?? '']))
  const drivers = [...new Set(questions.map((q) => q.driver).filter((d): d is string => d !== null))]
  const breakdowns: ThemeBreakdown[] = segments.map((s) => ({
    by: s.name,
    label: s.label,
    groups: report!.rows
      .filter((r) => r.by === s.name)
      .map((r) => ({ group: r.group, label: r.groupLabel, commentsShown: r.commentsShown })),
  }))
  if (drivers.length > 0)
    breakdowns.push({
      by: DRIVER_BREAKDOWN,
      label: 'Driver',
      groups: [
        ...drivers.map((d) => ({ group: d, label: label(d), commentsShown: true })),
        { group: '', label: 'Not about one driver', commentsShown: true },
      ],
    })
  const frequency = themeFrequency({
    themes: themes.map((t) => ({ id: t.id, name: t.name })),
    cells: counts.map((c) => ({
      groups: { ...c.segments, [DRIVER_BREAKDOWN]: driverOf.get(c.question) ?? '' },
      themes: c.themeIds,
      count: c.count,
    })),
    breakdowns,
    overallShown: report?.overall.commentsShown ?? false,
    confidence: report?.meta.confidence ?? 0.95,
    // the engine's thresholds; without a report, the organisation's setting the engine would use
    thresholds: report?.meta.thresholds ?? (await getReportingThresholds(db, scope.organisationId)),
  })
  return { themes, frequency }
}
