import { data, redirect } from '@remix-run/node'
import { z } from 'zod'
import { findResponseById, findResponseByReceipt, normaliseReceipt } from '#db/queries/data-rights.ts'
import { eraseOneResponse, exportResponse, subjectAccessDocument } from '#app/services/data-rights.server.ts'
import { requirePermission } from '#app/utils/auth.server.ts'
import { can } from '#app/utils/permissions.ts'
import { getDb } from '#app/utils/db.server.ts'

/*
 * Data rights (issue 12): staff (analyst or admin) find a response by the receipt the customer quotes, read it,
 * export it for a subject access request (JSON or CSV), and an admin erases it after typing its receipt again.
 * Every lookup is scoped to the active organisation: another organisation's receipt or id finds nothing (404).
 */

/** /app/responses?receipt=…: the search form, and the response it finds, if any. */
export async function loadResponseSearch(request: Request) {
  const ctx = await requirePermission(request, 'response:read')
  const url = new URL(request.url)
  const typed = (url.searchParams.get('receipt') ?? '').slice(0, 40)
  const erased = url.searchParams.get('erased') === '1'
  if (!typed) return { receipt: '', erased, searched: false, valid: true, found: null }
  const receipt = normaliseReceipt(typed)
  const response = receipt ? await findResponseByReceipt(await getDb(), ctx.organisationId, receipt) : null
  return {
    receipt: typed,
    erased,
    searched: true,
    valid: receipt !== null,
    found: response ? { id: response.id, receipt: response.receipt, surveyTitle: response.surveyTitle, submittedAt: response.submittedAt.toISOString() } : null,
  }
}

/** /app/responses/:responseId: one response, as the customer would be given it. */
export async function loadResponse(request: Request, responseId: string) {
  const ctx = await requirePermission(request, 'response:read')
  const response = await findResponseById(await getDb(), ctx.organisationId, responseId)
  if (!response) throw new Response(NOT_FOUND, { status: 404 })
  return { id: response.id, document: subjectAccessDocument(response), canErase: can(ctx.role, 'response:erase') }
}

const NOT_FOUND = 'We could not find that response. It may have been erased.'

const exportSchema = z.object({ format: z.enum(['json', 'csv']) })

/** /app/responses/:responseId/export (POST): the subject access file, JSON or CSV, audited. */
export async function handleResponseExport(request: Request, responseId: string) {
  const ctx = await requirePermission(request, 'response:read')
  const form = Object.fromEntries([...(await request.formData()).entries()].filter(([, v]) => typeof v === 'string'))
  const db = await getDb()
  const response = await findResponseById(db, ctx.organisationId, responseId)
  if (!response) throw new Response(NOT_FOUND, { status: 404 })
  const parsed = exportSchema.safeParse(form)
  if (!parsed.success) throw new Response('Choose JSON or CSV.', { status: 400 })
  const file = await exportResponse(db, { organisationId: ctx.organisationId, userId: ctx.userId }, response.id, parsed.data.format)
  if (!file) throw new Response(NOT_FOUND, { status: 404 })
  return new Response(file.body, {
    headers: {
      'Content-Type': file.contentType,
      'Content-Disposition': `attachment; filename="${file.filename}"`,
      'Cache-Control': 'no-store',
    },
  })
}

const eraseSchema = z.object({ intent: z.literal('erase'), confirmReceipt: z.string().max(40) })

export interface ResponseActionData {
  error?: string
}

/** /app/responses/:responseId (POST): erase the response (admins), after its receipt is typed again. */
export async function handleResponseAction(request: Request, responseId: string) {
  const ctx = await requirePermission(request, 'response:erase')
  const form = Object.fromEntries([...(await request.formData()).entries()].filter(([, v]) => typeof v === 'string'))
  const db = await getDb()
  const actor = { organisationId: ctx.organisationId, userId: ctx.userId }
  const response = await findResponseById(db, ctx.organisationId, responseId)
  if (!response) throw new Response(NOT_FOUND, { status: 404 })
  const parsed = eraseSchema.safeParse(form)
  if (!parsed.success) return data<ResponseActionData>({ error: 'Type the receipt to confirm the erasure.' }, { status: 400 })
  const input = parsed.data
  if (normaliseReceipt(input.confirmReceipt) !== response.receipt)
    return data<ResponseActionData>({ error: `Type the receipt ${response.receipt} to confirm the erasure.` }, { status: 422 })
  if (!(await eraseOneResponse(db, actor, response.id))) throw new Response(NOT_FOUND, { status: 404 })
  return redirect('/app/responses?erased=1')
}
