import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { requireSurvey } from '#app/services/builder.server.ts'
import { sanitizeDefinition } from '#app/utils/sanitize-html.server.ts'
import { templateMetadataSchema } from '#templates/metadata.ts'

export async function loadPreview(request: Request, surveyId: string) {
  const ctx = await requirePermission(request, 'dashboard:read')
  const survey = await requireSurvey(await getDb(), ctx.organisationId, surveyId)
  const metadata = templateMetadataSchema.safeParse(survey.draftMetadata)
  const locales = metadata.success ? metadata.data.locales : ['en']
  const requested = new URL(request.url).searchParams.get('lang')
  return {
    survey: { id: survey.id, title: survey.title },
    // Sanitised here too: the preview renders the draft with survey-react-ui, as the respondent page does.
    definition: sanitizeDefinition(survey.draftDefinition) as Record<string, unknown>,
    locales,
    lang: requested && (locales as string[]).includes(requested) ? requested : 'en',
  }
}
