import type { Database } from '#db/client.ts'
import { writeAudit } from '#db/queries/accounts.ts'
import {
  countAttempt,
  createMailing,
  forgetAddresses,
  getRecipientForDelivery,
  markFailed,
  markSent,
  noteError,
  startReminderRound,
  type MailKind,
} from '#db/queries/invitation-mailings.ts'
import { log } from '#app/utils/logger.server.ts'
import { ADDRESS_KEEP_DAYS, composeInvitationEmail } from './invitation-email.ts'
import type { ParsedRecipient } from './invitation-addresses.ts'
import { MailSendError, type MailTransport } from './mail-transport.server.ts'

/*
 * Survey invitations and reminders by e-mail (docs/decisions/020-email-invitations.md). Staff make a mailing
 * (app/routes/app.surveys.$surveyId.invitations.email.server.ts); each message is then one job on the
 * `invitation-mail` queue (app/services/jobs.server.ts), whose data holds ids only, never an address or a
 * token. A message that fails is retried with back-off; after the last attempt the recipient is marked failed
 * and the rest of the batch goes on. An hourly job forgets addresses that no reminder can need.
 */

/** At most this many reminder rounds per mailing. */
export const MAX_REMINDERS = 3

/** One message to send: the job's data on the queue. */
export interface MailJob {
  organisationId: string
  recipientId: string
  kind: MailKind
  /** The public origin for the links (PUBLIC_ORIGIN, or the origin staff used), not personal data. */
  origin: string
}

/** Puts jobs on the queue; the job runner provides it (app/services/jobs.server.ts `queueMailJobs`). */
export type QueueMail = (jobs: MailJob[]) => Promise<void>

/** When a new mailing's addresses are deleted at the latest: the survey's closing, or 60 days from now. */
export function addressesDeleteAfter(closesAt: Date | null, now = new Date()): Date {
  const limit = new Date(now.getTime() + ADDRESS_KEEP_DAYS * 86_400_000)
  return closesAt && closesAt < limit ? closesAt : limit
}

export interface MailingRequest {
  organisationId: string
  userId: string
  survey: { id: string; closesAt: Date | null }
  name: string
  transport: 'smtp' | 'notify'
  recipients: ParsedRecipient[]
  origin: string
}

/** Store the mailing and queue one job per recipient; audited with the count, never the addresses. */
export async function sendMailing(db: Database, queue: QueueMail, request: MailingRequest): Promise<{ mailingId: string; count: number }> {
  const { mailingId, recipientIds } = await createMailing(db, {
    organisationId: request.organisationId,
    surveyId: request.survey.id,
    name: request.name,
    transport: request.transport,
    createdBy: request.userId,
    addressesDeleteAfter: addressesDeleteAfter(request.survey.closesAt),
    recipients: request.recipients,
  })
  await queue(recipientIds.map((recipientId) => ({ organisationId: request.organisationId, recipientId, kind: 'invitation', origin: request.origin })))
  const languages = { en: 0, cy: 0 }
  for (const r of request.recipients) languages[r.language]++
  await writeAudit(db, {
    organisationId: request.organisationId,
    userId: request.userId,
    action: 'invitations.emailed',
    targetType: 'survey',
    targetId: request.survey.id,
    details: { mailingId, batch: request.name, count: recipientIds.length, english: languages.en, welsh: languages.cy, transport: request.transport },
  })
  log('info', { event: 'invitations.emailed', surveyId: request.survey.id, count: recipientIds.length })
  return { mailingId, count: recipientIds.length }
}

export type ReminderOutcome = { status: 'not_found' } | { status: 'limit' } | { status: 'queued'; round: number; count: number }

/** A reminder round to everyone in the mailing who has not answered; audited with its count. */
export async function remindMailing(
  db: Database,
  queue: QueueMail,
  actor: { organisationId: string; userId: string },
  surveyId: string,
  mailing: { id: string; remindersSent: number },
  origin: string,
): Promise<ReminderOutcome> {
  if (mailing.remindersSent >= MAX_REMINDERS) return { status: 'limit' }
  const round = await startReminderRound(db, actor.organisationId, surveyId, mailing.id)
  if (!round) return { status: 'not_found' }
  await queue(round.recipientIds.map((recipientId) => ({ organisationId: actor.organisationId, recipientId, kind: 'reminder', origin })))
  await writeAudit(db, {
    organisationId: actor.organisationId,
    userId: actor.userId,
    action: 'invitations.reminded',
    targetType: 'survey',
    targetId: surveyId,
    details: { mailingId: mailing.id, round: round.round, count: round.recipientIds.length },
  })
  log('info', { event: 'invitations.reminded', surveyId, count: round.recipientIds.length })
  return { status: 'queued', round: round.round, count: round.recipientIds.length }
}

export type DeliveryOutcome = 'sent' | 'skipped' | 'failed'

/** Thrown when an attempt failed and the job should be tried again later (pg-boss's back-off). */
export class RetryLater extends Error {
  constructor(readonly code: string) {
    super(`retry later (${code})`)
    this.name = 'RetryLater'
  }
}

/**
 * Send one queued message. Skips quietly what no longer needs sending (already sent, answered, opted out,
 * address deleted, survey closed). A failure below `maxAttempts` throws RetryLater; at the last attempt, or
 * on a permanent refusal, the recipient is marked failed and the job ends normally, so the batch goes on.
 */
export async function deliverMail(db: Database, job: MailJob, transport: MailTransport, maxAttempts: number): Promise<DeliveryOutcome> {
  const recipient = await getRecipientForDelivery(db, job.organisationId, job.recipientId)
  if (!recipient) return 'skipped'
  const pending = job.kind === 'invitation' ? recipient.status === 'queued' : recipient.reminderStatus === 'queued'
  if (!pending) return 'skipped'
  const closed = recipient.surveyStatus === 'closed' || (recipient.closesAt !== null && recipient.closesAt <= new Date())
  if (!recipient.email || !recipient.linkToken || recipient.optedOut || closed || (job.kind === 'reminder' && recipient.answered)) {
    if (job.kind === 'invitation') await markFailed(db, job.organisationId, job.recipientId, 'invitation', closed ? 'survey_closed' : 'no_address')
    else await markFailed(db, job.organisationId, job.recipientId, 'reminder', 'not_needed')
    return 'skipped'
  }
  const attempt = await countAttempt(db, job.organisationId, job.recipientId, job.kind)
  const base = `${job.origin}/s/${encodeURIComponent(recipient.surveySlug)}`
  const link = `${base}?${new URLSearchParams({ invitation: recipient.linkToken, ...(recipient.language === 'cy' ? { lang: 'cy' } : {}) }).toString()}`
  const optOutUrl = `${base}/opt-out?${new URLSearchParams({ invitation: recipient.linkToken, ...(recipient.language === 'cy' ? { lang: 'cy' } : {}) }).toString()}`
  const message = composeInvitationEmail({
    kind: job.kind,
    lang: recipient.language,
    organisationName: recipient.organisationName,
    link,
    optOutUrl,
    closesAt: recipient.closesAt,
  })
  try {
    await transport.send({ to: recipient.email, ...message, language: recipient.language, reference: recipient.id, optOutUrl })
  } catch (error) {
    const code = error instanceof MailSendError ? error.code : 'error'
    const permanent = error instanceof MailSendError && error.permanent
    if (permanent || attempt >= maxAttempts) {
      await markFailed(db, job.organisationId, job.recipientId, job.kind, code)
      log('warn', { event: 'invitations.mail_failed', organisationId: job.organisationId, reason: job.kind, errorCode: code, count: attempt })
      return 'failed'
    }
    await noteError(db, job.organisationId, job.recipientId, code)
    throw new RetryLater(code)
  }
  await markSent(db, job.organisationId, job.recipientId, job.kind)
  return 'sent'
}

/**
 * The hourly deletion of addresses (and plain tokens) that no reminder can need any more; each survey's
 * count is written to its organisation's audit log. The invitations and their counts stay.
 */
export async function purgeInvitationAddresses(db: Database, now = new Date()): Promise<number> {
  let total = 0
  for (const entry of await forgetAddresses(db, now)) {
    total += entry.deleted
    await writeAudit(db, {
      organisationId: entry.organisationId,
      userId: null,
      action: 'invitations.addresses_deleted',
      targetType: 'survey',
      targetId: entry.surveyId,
      details: { deleted: entry.deleted },
    })
  }
  if (total > 0) log('info', { event: 'invitations.addresses_deleted', count: total })
  return total
}
