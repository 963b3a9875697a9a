import { wilsonInterval } from '#analysis/wilson-interval.ts'
import { listSurveysForOrganisation, getVersion } from '#db/queries/surveys.ts'
import { countResponses, tallyRating } from '#db/queries/responses.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { can } from '#app/utils/permissions.ts'
import { parseMetadata } from '#app/services/survey-definition.server.ts'

export interface SurveySummary {
  id: string
  slug: string
  title: string
  status: string
  wave: string
  responses: number
  overall: null | {
    valid: number
    satisfied: number
    p: number | null
    lower: number | null
    upper: number | null
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
      const version = survey.currentVersionId
        ? await getVersion(db, ctx.organisationId, survey.currentVersionId)
        : null
      const metadata = version
        ? parseMetadata(version.metadata, version.id)
        : parseMetadata(survey.draftMetadata)
      const overall = Object.entries(metadata.ratings).find(([, r]) => r.driver === 'overall')
      if (!overall) {
        // No overall rating to summarise: just count the responses.
        const responses = await countResponses(db, ctx.organisationId, survey.id)
        return {
          id: survey.id,
          slug: survey.slug,
          title: survey.title,
          status: survey.status,
          wave: survey.wave,
          responses,
          overall: null,
        }
      }
      const [question, rating] = overall
      const validValues = [
        ...rating.coding.satisfied,
        ...rating.coding.neither,
        ...rating.coding.dissatisfied,
      ]
      const tally = await tallyRating(
        db,
        ctx.organisationId,
        survey.id,
        question,
        validValues,
        rating.coding.satisfied,
      )
      const interval = wilsonInterval(tally.satisfied, tally.valid, 0.95)
      return {
        id: survey.id,
        slug: survey.slug,
        title: survey.title,
        status: survey.status,
        wave: survey.wave,
        responses: tally.responses,
        overall: {
          valid: tally.valid,
          satisfied: tally.satisfied,
          p: tally.valid > 0 ? tally.satisfied / tally.valid : null,
          lower: interval.lower,
          upper: interval.upper,
        },
      }
    }),
  )
  return { surveys, mayCreate: can(ctx.role, 'survey:write') }
}
