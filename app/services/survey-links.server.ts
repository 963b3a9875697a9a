import { getSurveyForOrganisation, getVersion, type SurveyRow } from '#db/queries/surveys.ts'
import type { Database } from '#db/client.ts'
import { getEnv } from '#app/env.server.ts'
import { parseMetadata } from './survey-definition.server.ts'
import type { TemplateMetadata } from '#templates/metadata.ts'

/** A public link to a survey: the plain one, one per URL-segment value, and the Welsh one. */
export interface SurveyLink {
  key: string
  label: string
  url: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The origin respondents reach: PUBLIC_ORIGIN when set (behind a proxy), else the request's own. */
export function publicOrigin(request: Request): string {
  return getEnv().PUBLIC_ORIGIN?.replace(/\/$/, '') ?? new URL(request.url).origin
}

/** The organisation's survey with the metadata respondents see (published version, else the draft); 404 for
 * anything outside the organisation, including malformed ids. */
export async function requireOrganisationSurvey(
  db: Database,
  organisationId: string,
  surveyId: string | undefined,
): Promise<{ survey: SurveyRow; metadata: TemplateMetadata; published: boolean }> {
  if (!surveyId || !UUID.test(surveyId)) throw new Response('Survey not found', { status: 404 })
  const survey = await getSurveyForOrganisation(db, organisationId, surveyId)
  if (!survey) throw new Response('Survey not found', { status: 404 })
  const version = survey.currentVersionId ? await getVersion(db, organisationId, survey.currentVersionId) : null
  return { survey, metadata: parseMetadata(version?.metadata ?? survey.draftMetadata), published: Boolean(version) }
}

export function surveyLinks(origin: string, survey: Pick<SurveyRow, 'slug'>, metadata: TemplateMetadata): SurveyLink[] {
  const base = `${origin}/s/${encodeURIComponent(survey.slug)}`
  const links: SurveyLink[] = [{ key: 'web', label: 'Web link', url: base }]
  if (metadata.locales.includes('cy')) links.push({ key: 'web-cy', label: 'Web link in Welsh', url: `${base}?lang=cy` })
  for (const segment of metadata.urlSegments) {
    for (const value of segment.values) {
      const params = new URLSearchParams({ [segment.param]: value.value })
      links.push({ key: `${segment.param}-${value.value}`, label: `${segment.label}: ${value.label}`, url: `${base}?${params.toString()}` })
    }
  }
  return links
}
