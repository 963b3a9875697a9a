import { loadInsight } from '#app/services/insight.server.ts'
import { parseMetadata } from '#app/services/survey-definition.server.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { can } from '#app/utils/permissions.ts'
import { countResponses } from '#db/queries/aggregates.ts'
import { getVersion, listSurveysForOrganisation } from '#db/queries/surveys.ts'

/*
 * The staff home: every survey of the active organisation with its response count and its overall
 * satisfaction tile. The tile is the insight report's published overall figure
 * (report.overall.cells[report.meta.overall], app/services/insight.server.ts), in the dashboard's default view:
 * the same number, interval, base and weighting the dashboard opens with, over the survey's series. A figure
 * the report suppresses is shown as "too few responses to report", never as a number. Nothing here computes.
 */

export interface SurveySummary {
  id: string
  slug: string
  title: string
  status: string
  wave: string
  /** responses to this survey */
  responses: number
  overall: null | {
    /** the overall rating's label in the report */
    label: string
    /** false when the report suppresses the figure: then p, lower, upper and n are null */
    shown: boolean
    /** published % satisfied, already rounded to its publication step */
    p: number | null
    lower: number | null
    upper: number | null
    /** unweighted valid base */
    n: number | null
    lowBase: boolean
    weighted: boolean
    confidence: number
    /** waves the figure covers (the survey's series) */
    waves: string[]
  }
}

/** The staff home: every survey of the active organisation with its count and overall satisfaction. */
export async function loadSurveyList(
  request: Request,
): Promise<{ surveys: SurveySummary[]; mayCreate: boolean }> {
  const ctx = await requirePermission(request, 'dashboard:read')
  const db = await getDb()
  const rows = await listSurveysForOrganisation(db, ctx.organisationId)
  const surveys = await Promise.all(
    rows.map(async (survey): Promise<SurveySummary> => {
      const summary = {
        id: survey.id,
        slug: survey.slug,
        title: survey.title,
        status: survey.status,
        wave: survey.wave,
      }
      // A survey without ratings (a draft still being built) has no figure to show, only its count.
      const version = survey.currentVersionId
        ? await getVersion(db, ctx.organisationId, survey.currentVersionId)
        : null
      const metadata = parseMetadata(version?.metadata ?? survey.draftMetadata)
      const [count, insight] = await Promise.all([
        countResponses(db, { organisationId: ctx.organisationId, surveyId: survey.id }),
        Object.keys(metadata.ratings).length > 0
          ? loadInsight(db, ctx.organisationId, survey.id)
          : Promise.resolve(null),
      ])
      const report = insight?.report
      const cell = report ? report.overall.cells[report.meta.overall] : undefined
      if (!report || !cell) return { ...summary, responses: count.total, overall: null }
      const shown = cell.status !== 'suppressed'
      return {
        ...summary,
        responses: count.total,
        overall: {
          label: report.meta.ratings.find((r) => r.isOverall)?.label ?? 'Overall',
          shown,
          p: shown ? cell.p : null,
          lower: shown ? cell.lower : null,
          upper: shown ? cell.upper : null,
          n: shown ? cell.n : null,
          lowBase: shown && cell.status === 'low_base',
          weighted: report.meta.weighted,
          confidence: report.meta.confidence,
          waves: report.meta.waves,
        },
      }
    }),
  )
  return { surveys, mayCreate: can(ctx.role, 'survey:write') }
}
