import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { publicOrigin, requireOrganisationSurvey, surveyLinks } from '#app/services/survey-links.server.ts'
import { countInvitations } from '#db/queries/invitations.ts'

export async function loadDistributePage(request: Request, surveyId: string | undefined) {
  const ctx = await requirePermission(request, 'dashboard:read')
  const db = await getDb()
  const { survey, metadata, published } = await requireOrganisationSurvey(db, ctx.organisationId, surveyId)
  const links = surveyLinks(publicOrigin(request), survey, metadata)
  const invitations = await countInvitations(db, ctx.organisationId, survey.id)
  return {
    survey: { id: survey.id, title: survey.title, slug: survey.slug, status: survey.status },
    published,
    links,
    invitations,
  }
}

/**
 * A QR code for one of the survey's own links, as SVG or PNG. The link is chosen by key from the survey's
 * list, never taken from the request, so this cannot be used to make QR codes for arbitrary addresses.
 */
export async function qrCodeResponse(
  request: Request,
  surveyId: string | undefined,
  format: string | undefined,
): Promise<Response> {
  const ctx = await requirePermission(request, 'dashboard:read')
  if (format !== 'svg' && format !== 'png') throw new Response('Not found', { status: 404 })
  const db = await getDb()
  const { survey, metadata } = await requireOrganisationSurvey(db, ctx.organisationId, surveyId)
  const key = new URL(request.url).searchParams.get('link') ?? 'web'
  const link = surveyLinks(publicOrigin(request), survey, metadata).find((l) => l.key === key)
  if (!link) throw new Response('Not found', { status: 404 })
  const filename = `${survey.slug}-${link.key}.${format}`.replace(/[^a-zA-Z0-9._-]/g, '_')
  const headers = {
    'Content-Disposition': new URL(request.url).searchParams.has('download')
      ? `attachment; filename="${filename}"`
      : 'inline',
    'Cache-Control': 'private, no-store',
  }
  // Loaded when first needed, not at server start (docs/benchmarks.md, "Server start").
  const { default: QRCode } = await import('qrcode')
  // Level M survives a little print damage; the quiet zone of 4 modules is what scanners expect.
  if (format === 'svg') {
    const svg = await QRCode.toString(link.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })
    return new Response(svg, { headers: { ...headers, 'Content-Type': 'image/svg+xml; charset=utf-8' } })
  }
  const png = await QRCode.toBuffer(link.url, {
    type: 'png',
    errorCorrectionLevel: 'M',
    margin: 4,
    width: 1024,
  })
  return new Response(new Uint8Array(png), { headers: { ...headers, 'Content-Type': 'image/png' } })
}
