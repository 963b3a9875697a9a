import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { exportSurvey } from '#app/services/builder.server.ts'

/** The survey as a JSON download: SurveyJS definition plus our metadata (docs/builder.md). */
export async function downloadSurveyJson(request: Request, surveyId: string): Promise<Response> {
  const ctx = await requirePermission(request, 'export:create')
  const which = new URL(request.url).searchParams.get('version') === 'published' ? 'published' : 'draft'
  const exported = await exportSurvey(await getDb(), ctx.organisationId, surveyId, which)
  const suffix = exported.source.kind === 'version' ? `v${exported.source.version}` : 'draft'
  const filename = `${exported.survey.slug}-${suffix}.json`.replace(/[^a-z0-9._-]/gi, '_')
  return new Response(JSON.stringify(exported, null, 2), {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': 'no-store',
    },
  })
}
