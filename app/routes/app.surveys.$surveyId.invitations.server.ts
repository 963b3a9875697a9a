import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { log } from '#app/utils/logger.server.ts'
import { issueInvitationsSchema } from '#app/services/invitation-schema.ts'
import { publicOrigin, requireOrganisationSurvey } from '#app/services/survey-links.server.ts'
import { countInvitations, countInvitationsByBatch, issueInvitations } from '#db/queries/invitations.ts'
import { countResponses } from '#db/queries/responses.ts'
import { writeAudit } from '#db/queries/accounts.ts'

export async function loadInvitationsPage(request: Request, surveyId: string | undefined) {
  const ctx = await requirePermission(request, 'invitation:create')
  const db = await getDb()
  const { survey, metadata, published } = await requireOrganisationSurvey(db, ctx.organisationId, surveyId)
  const [totals, batches, responses] = await Promise.all([
    countInvitations(db, ctx.organisationId, survey.id),
    countInvitationsByBatch(db, ctx.organisationId, survey.id),
    countResponses(db, ctx.organisationId, survey.id),
  ])
  return {
    survey: { id: survey.id, title: survey.title, slug: survey.slug, status: survey.status },
    published,
    totals,
    responses,
    batches: batches.map((b) => ({ ...b, createdAt: b.createdAt.toISOString() })),
    segments: metadata.urlSegments.map((s) => ({ param: s.param, label: s.label, values: s.values })),
  }
}

function csvField(value: string): string {
  // A leading = + - @ would run as a formula in a spreadsheet: prefix it so it stays text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/**
 * Issue a batch and answer with the CSV of personal links. Only hashes are stored, so this response is the
 * one and only copy of the links: it is sent as a download and never cached.
 */
export async function downloadNewInvitations(
  request: Request,
  surveyId: string | undefined,
): Promise<Response> {
  const ctx = await requirePermission(request, 'invitation:create')
  const db = await getDb()
  const { survey, metadata } = await requireOrganisationSurvey(db, ctx.organisationId, surveyId)
  const parsed = issueInvitationsSchema.safeParse(Object.fromEntries(await request.formData()))
  if (!parsed.success) {
    return new Response(parsed.error.issues.map((i) => i.message).join('\n'), {
      status: 400,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    })
  }
  const { count, segment } = parsed.data
  const segments: Record<string, string> = {}
  if (segment) {
    const [param, value] = segment.split('=', 2)
    const spec = metadata.urlSegments.find((s) => s.param === param)
    if (!spec || !spec.values.some((v) => v.value === value)) {
      return new Response('That group is not one this survey records.', {
        status: 400,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      })
    }
    segments[param!] = value!
  }
  const batch = parsed.data.batch || `Batch ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`
  const issued = await issueInvitations(db, ctx.organisationId, survey.id, count, batch, segments)
  await writeAudit(db, {
    organisationId: ctx.organisationId,
    userId: ctx.userId,
    action: 'invitations.issued',
    targetType: 'survey',
    targetId: survey.id,
    details: { count, batch },
  })
  log('info', { event: 'invitations.issued', surveyId: survey.id, count })
  const base = `${publicOrigin(request)}/s/${encodeURIComponent(survey.slug)}`
  const lines = ['number,batch,link']
  issued.tokens.forEach((token, i) => {
    const params = new URLSearchParams({ ...segments, invitation: token })
    lines.push([String(i + 1), csvField(batch), csvField(`${base}?${params.toString()}`)].join(','))
  })
  const filename = `${survey.slug}-invitations-${new Date().toISOString().slice(0, 10)}.csv`
  return new Response(`${lines.join('\r\n')}\r\n`, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': 'no-store',
    },
  })
}
