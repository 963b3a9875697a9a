import { data, redirect } from '@remix-run/node'
import { PublishRefused, publishResults } from '#app/services/results-snapshot.server.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { can } from '#app/utils/permissions.ts'
import { listWaves } from '#db/queries/aggregates.ts'
import { getOrganisationSlug, listSeriesSnapshots, type SnapshotScope } from '#db/queries/results.ts'
import { getSurveyForOrganisation } from '#db/queries/surveys.ts'
import { publishFormSchema } from './app.surveys.$surveyId.results.schema.ts'

/*
 * Publishing results (issue 14, item 1): everyone may see what has been published for the survey's series;
 * analysts and admins ('results:publish') publish a new snapshot. Scoped by organisation (another
 * organisation's survey is a 404); each publication is audited (app/services/results-snapshot.server.ts).
 */

export async function loadResultsAdmin(request: Request, surveyId: string) {
  const ctx = await requirePermission(request, 'dashboard:read')
  const db = await getDb()
  const survey = await getSurveyForOrganisation(db, ctx.organisationId, surveyId)
  if (!survey) throw new Response('Survey not found', { status: 404 })
  const [snapshots, waves, orgSlug] = await Promise.all([
    listSeriesSnapshots(db, ctx.organisationId, survey.seriesId),
    listWaves(db, { organisationId: ctx.organisationId, seriesId: survey.seriesId }),
    getOrganisationSlug(db, ctx.organisationId),
  ])
  return {
    survey: { id: survey.id, title: survey.title },
    orgSlug,
    canPublish: can(ctx.role, 'results:publish'),
    waves: waves.map((w) => w.wave),
    snapshots: snapshots.map((s, i) => ({
      id: s.id,
      scope: s.scope as SnapshotScope,
      publishedAt: s.publishedAt.toISOString(),
      current: i === 0,
    })),
  }
}

export type PublishActionData = { ok: false; errors: Record<string, string> }

export async function handlePublish(request: Request, surveyId: string) {
  const ctx = await requirePermission(request, 'results:publish')
  const db = await getDb()
  const survey = await getSurveyForOrganisation(db, ctx.organisationId, surveyId)
  if (!survey) throw new Response('Survey not found', { status: 404 })
  const form = Object.fromEntries([...(await request.formData())].filter(([, v]) => typeof v === 'string'))
  const parsed = publishFormSchema.safeParse(form)
  if (!parsed.success) {
    const errors: Record<string, string> = {}
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message
    return data<PublishActionData>({ ok: false, errors }, { status: 400 })
  }
  const scope: SnapshotScope = parsed.data
  try {
    const published = await publishResults(
      db,
      { organisationId: ctx.organisationId, organisationName: ctx.organisationName, userId: ctx.userId },
      surveyId,
      scope,
    )
    if (!published) throw new Response('Survey not found', { status: 404 })
    return redirect(`/app/surveys/${surveyId}/results?published=${published.id}`)
  } catch (error) {
    if (error instanceof PublishRefused)
      return data<PublishActionData>({ ok: false, errors: { form: error.message } }, { status: 422 })
    throw error
  }
}
