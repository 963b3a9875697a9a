import { data } from '@remix-run/node'
import { z } from 'zod'
import { requirePermission } from '#app/utils/auth.server.ts'
import { getDb } from '#app/utils/db.server.ts'
import { decodeUtf8Strict, readBodyBytesCapped } from '#app/services/request-body.server.ts'
import { MAX_ADDRESS_LIST_BYTES, MAX_RECIPIENTS_PER_BATCH, parseAddressList } from '#app/services/invitation-addresses.ts'
import { ADDRESS_KEEP_DAYS } from '#app/services/invitation-email.ts'
import { MAX_REMINDERS, remindMailing, sendMailing } from '#app/services/invitation-mail.server.ts'
import { configuredMailKind } from '#app/services/mail-transport.server.ts'
import { jobQueueRunning, queueMailJobs } from '#app/services/jobs.server.ts'
import { publicOrigin, requireOrganisationSurvey } from '#app/services/survey-links.server.ts'
import { listMailings } from '#db/queries/invitation-mailings.ts'

/*
 * E-mail invitations and reminders for one survey (docs/decisions/020-email-invitations.md). Analysts and
 * admins (`invitation:create`) paste or upload addresses, choose the language, and send; the messages go out
 * as jobs, and this page shows each batch's progress and response rate.
 */

/** The whole request may be this big: the address list plus the form's other fields and multipart framing. */
const MAX_REQUEST_BYTES = MAX_ADDRESS_LIST_BYTES + 16 * 1024

const batchName = z
  .string()
  .trim()
  .max(60, 'Keep the batch name under 60 characters.')
  .regex(/^[\p{L}\p{N} _.,()/-]*$/u, 'Use letters, numbers, spaces and simple punctuation in the batch name.')

/** The "send invitations" form. */
const sendSchema = z.object({
  intent: z.literal('send'),
  name: batchName.optional().default(''),
  language: z.enum(['en', 'cy'], 'Choose English or Welsh.'),
  addresses: z.string().optional().default(''),
})

/** The "send a reminder" form of one batch. */
const remindSchema = z.object({
  intent: z.literal('remind'),
  mailingId: z.uuid('That batch is not one of this survey’s.'),
})

export interface EmailActionData {
  problems?: string[]
  /** The pasted list, given back so nothing typed is lost when it is refused. */
  addresses?: string
  sent?: { mailingId: string; count: number; duplicates: number; name: string }
  reminded?: { count: number; round: number }
}

export async function loadEmailInvitationsPage(request: Request, surveyId: string) {
  const ctx = await requirePermission(request, 'invitation:create')
  const db = await getDb()
  const { survey, metadata, published } = await requireOrganisationSurvey(db, ctx.organisationId, surveyId)
  const mailings = await listMailings(db, ctx.organisationId, survey.id)
  return {
    survey: { id: survey.id, title: survey.title, closesAt: survey.closesAt?.toISOString() ?? null },
    published,
    open: survey.status === 'open',
    hasWelsh: metadata.locales.includes('cy'),
    transport: configuredMailKind(),
    maxRecipients: MAX_RECIPIENTS_PER_BATCH,
    maxReminders: MAX_REMINDERS,
    keepDays: ADDRESS_KEEP_DAYS,
    mailings: mailings.map((m) => ({
      ...m,
      createdAt: m.createdAt.toISOString(),
      addressesDeleteAfter: m.addressesDeleteAfter.toISOString(),
      addressesDeletedAt: m.addressesDeletedAt?.toISOString() ?? null,
    })),
  }
}

export type EmailInvitationsPageData = Awaited<ReturnType<typeof loadEmailInvitationsPage>>

const refuse = (problems: string[], status: number, extra: Partial<EmailActionData> = {}) =>
  data<EmailActionData>({ problems, ...extra }, { status })

/** The form, read from at most MAX_REQUEST_BYTES of body: a bigger one is refused before it is parsed. */
async function readForm(request: Request): Promise<FormData | 'too_big' | 'unreadable'> {
  const declared = Number(request.headers.get('Content-Length') ?? '0')
  if (declared > MAX_REQUEST_BYTES) return 'too_big'
  const bytes = await readBodyBytesCapped(request, MAX_REQUEST_BYTES)
  if (!bytes) return 'too_big'
  try {
    return await new Request(request.url, {
      method: 'POST',
      headers: { 'Content-Type': request.headers.get('Content-Type') ?? 'application/x-www-form-urlencoded' },
      body: Buffer.from(bytes),
    }).formData()
  } catch {
    return 'unreadable'
  }
}

/** The address list: the uploaded file if one was chosen, else the pasted text. */
async function addressText(form: FormData, pasted: string): Promise<string | null> {
  const file = form.get('file')
  if (file instanceof File && file.size > 0) return decodeUtf8Strict(new Uint8Array(await file.arrayBuffer()))
  return pasted
}

export async function handleEmailInvitations(request: Request, surveyId: string) {
  const ctx = await requirePermission(request, 'invitation:create')
  const db = await getDb()
  const { survey, published } = await requireOrganisationSurvey(db, ctx.organisationId, surveyId)
  const form = await readForm(request)
  if (form === 'too_big') {
    return refuse([`The list is too big: send at most ${MAX_RECIPIENTS_PER_BATCH.toLocaleString('en-GB')} addresses (${MAX_ADDRESS_LIST_BYTES / 1024} KB) at a time.`], 413)
  }
  if (form === 'unreadable') return refuse(['The form could not be read. Choose the file again.'], 400)
  const fields = Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === 'string'))
  const transport = configuredMailKind()
  if (!jobQueueRunning()) return refuse(['Sending is not available right now (the job queue is not running). Try again in a minute.'], 503)

  if (fields.intent === 'remind') {
    const parsed = remindSchema.safeParse(fields)
    if (!parsed.success) return refuse(parsed.error.issues.map((i) => i.message), 400)
    if (!transport) return refuse(['E-mail is not set up on this installation, so reminders cannot be sent.'], 409)
    const mailing = (await listMailings(db, ctx.organisationId, survey.id)).find((m) => m.id === parsed.data.mailingId)
    if (!mailing) throw new Response('Batch not found', { status: 404 })
    if (mailing.addressesDeletedAt) return refuse(['The addresses of this batch have been deleted, so no reminder can be sent.'], 409)
    const outcome = await remindMailing(db, queueMailJobs, ctx, survey.id, mailing, publicOrigin(request))
    if (outcome.status === 'not_found') throw new Response('Batch not found', { status: 404 })
    if (outcome.status === 'limit') return refuse([`This batch has had ${MAX_REMINDERS} reminders, the most we send.`], 409)
    return data<EmailActionData>({ reminded: { count: outcome.count, round: outcome.round } })
  }

  const parsed = sendSchema.safeParse(fields)
  if (!parsed.success) return refuse(parsed.error.issues.map((i) => i.message), 400, { addresses: String(fields.addresses ?? '') })
  const pasted = parsed.data.addresses
  if (!published || survey.status !== 'open') {
    return refuse(['Publish the survey, and keep it open, before sending invitations: links to it would not work.'], 409, { addresses: pasted })
  }
  if (!transport) return refuse(['E-mail is not set up on this installation (SMTP_URL or NOTIFY_API_KEY).'], 409, { addresses: pasted })
  const text = await addressText(form, pasted)
  if (text === null) return refuse(['The file is not UTF-8 text. Save it as “CSV UTF-8” and choose it again.'], 400, { addresses: pasted })
  const list = parseAddressList(text, parsed.data.language)
  if (!list.ok) return refuse(list.problems, 400, { addresses: pasted })
  const name = parsed.data.name || `E-mail ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`
  const sent = await sendMailing(db, queueMailJobs, {
    organisationId: ctx.organisationId,
    userId: ctx.userId,
    survey: { id: survey.id, closesAt: survey.closesAt },
    name,
    transport,
    recipients: list.recipients,
    origin: publicOrigin(request),
  })
  return data<EmailActionData>({ sent: { mailingId: sent.mailingId, count: sent.count, duplicates: list.duplicates, name } })
}
