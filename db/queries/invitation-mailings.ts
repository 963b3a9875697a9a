import { and, eq, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'
import { invitationMailings, invitationRecipients, responseInvitations } from '../schema.ts'
import { hashInvitationToken, newInvitationToken } from './invitations.ts'

/*
 * E-mail invitations (docs/decisions/020-email-invitations.md): a mailing, its recipients, and their single-use
 * invitations. Every function is scoped by organisation. Addresses and plain tokens are read here only to be
 * sent, and set to null as soon as no reminder can need them (`forgetAddresses`).
 */

export type MailKind = 'invitation' | 'reminder'

export interface NewMailing {
  organisationId: string
  surveyId: string
  name: string
  transport: 'smtp' | 'notify'
  createdBy: string | null
  addressesDeleteAfter: Date
  recipients: ReadonlyArray<{ email: string; language: 'en' | 'cy' }>
}

/** Store a mailing, one single-use invitation per recipient, and the recipients, in one transaction. */
export async function createMailing(db: Database, input: NewMailing): Promise<{ mailingId: string; recipientIds: string[] }> {
  return db.transaction(async (tx) => {
    const [mailing] = await tx
      .insert(invitationMailings)
      .values({
        organisationId: input.organisationId,
        surveyId: input.surveyId,
        name: input.name,
        transport: input.transport,
        createdBy: input.createdBy,
        addressesDeleteAfter: input.addressesDeleteAfter,
      })
      .returning({ id: invitationMailings.id })
    const recipientIds: string[] = []
    for (let i = 0; i < input.recipients.length; i += 500) {
      const chunk = input.recipients.slice(i, i + 500).map((r) => ({ ...r, token: newInvitationToken() }))
      const invitations = await tx
        .insert(responseInvitations)
        .values(
          chunk.map((r) => ({
            organisationId: input.organisationId,
            surveyId: input.surveyId,
            tokenHash: hashInvitationToken(r.token),
            batch: input.name,
          })),
        )
        .returning({ id: responseInvitations.id, tokenHash: responseInvitations.tokenHash })
      const idByHash = new Map(invitations.map((row) => [row.tokenHash, row.id]))
      const inserted = await tx
        .insert(invitationRecipients)
        .values(
          chunk.map((r) => ({
            organisationId: input.organisationId,
            mailingId: mailing!.id,
            invitationId: idByHash.get(hashInvitationToken(r.token))!,
            email: r.email,
            linkToken: r.token,
            language: r.language,
          })),
        )
        .returning({ id: invitationRecipients.id })
      recipientIds.push(...inserted.map((row) => row.id))
    }
    return { mailingId: mailing!.id, recipientIds }
  })
}

export interface RecipientForDelivery {
  id: string
  email: string | null
  linkToken: string | null
  language: 'en' | 'cy'
  status: string
  reminderStatus: string | null
  remindersSent: number
  answered: boolean
  optedOut: boolean
  surveySlug: string
  surveyStatus: string
  closesAt: Date | null
  organisationName: string
}

/** What one message needs, for the sending job; null when the recipient is not the organisation's. */
export async function getRecipientForDelivery(db: Database, organisationId: string, recipientId: string): Promise<RecipientForDelivery | null> {
  const rows = rowsOf<{
    id: string
    email: string | null
    link_token: string | null
    language: 'en' | 'cy'
    status: string
    reminder_status: string | null
    reminders_sent: number
    answered: boolean
    opted_out: boolean
    slug: string
    survey_status: string
    closes_at: string | Date | null
    organisation_name: string
  }>(
    await db.execute(sql`
      select r.id, r.email, r.link_token, r.language, r.status, r.reminder_status, r.reminders_sent,
        i.used_at is not null as answered, r.opted_out_at is not null as opted_out,
        s.slug, s.status as survey_status, s.closes_at, o.name as organisation_name
      from invitation_recipients r
      join response_invitations i on i.id = r.invitation_id and i.organisation_id = r.organisation_id
      join invitation_mailings m on m.id = r.mailing_id and m.organisation_id = r.organisation_id
      join surveys s on s.id = m.survey_id and s.organisation_id = r.organisation_id
      join organisations o on o.id = r.organisation_id
      where r.id = ${recipientId}::uuid and r.organisation_id = ${organisationId}::uuid`),
  )
  const row = rows[0]
  if (!row) return null
  return {
    id: row.id,
    email: row.email,
    linkToken: row.link_token,
    language: row.language,
    status: row.status,
    reminderStatus: row.reminder_status,
    remindersSent: Number(row.reminders_sent),
    answered: row.answered,
    optedOut: row.opted_out,
    surveySlug: row.slug,
    surveyStatus: row.survey_status,
    closesAt: row.closes_at ? new Date(row.closes_at) : null,
    organisationName: row.organisation_name,
  }
}

/** Count one more attempt at the recipient's invitation or reminder; returns the attempts so far. */
export async function countAttempt(db: Database, organisationId: string, recipientId: string, kind: MailKind): Promise<number> {
  const column = kind === 'invitation' ? sql`attempts` : sql`reminder_attempts`
  const rows = rowsOf<{ n: number }>(
    await db.execute(sql`
      update invitation_recipients set ${column} = ${column} + 1
      where id = ${recipientId}::uuid and organisation_id = ${organisationId}::uuid
      returning ${column} as n`),
  )
  return Number(rows[0]?.n ?? 0)
}

/** The message was accepted by the mail server (or Notify). */
export async function markSent(db: Database, organisationId: string, recipientId: string, kind: MailKind, now = new Date()): Promise<void> {
  const where = and(eq(invitationRecipients.id, recipientId), eq(invitationRecipients.organisationId, organisationId))
  if (kind === 'invitation') {
    await db.update(invitationRecipients).set({ status: 'sent', sentAt: now, lastError: null }).where(where)
  } else {
    await db
      .update(invitationRecipients)
      .set({ reminderStatus: 'sent', remindersSent: sql`${invitationRecipients.remindersSent} + 1`, lastRemindedAt: now, lastError: null })
      .where(where)
  }
}

/**
 * Every attempt failed. A failed invitation can never be reminded, so its address and token are forgotten
 * at once; a failed reminder keeps them for a later round until the mailing's deletion date.
 */
export async function markFailed(db: Database, organisationId: string, recipientId: string, kind: MailKind, errorCode: string): Promise<void> {
  const where = and(eq(invitationRecipients.id, recipientId), eq(invitationRecipients.organisationId, organisationId))
  if (kind === 'invitation') {
    await db.update(invitationRecipients).set({ status: 'failed', lastError: errorCode, email: null, linkToken: null }).where(where)
  } else {
    await db.update(invitationRecipients).set({ reminderStatus: 'failed', lastError: errorCode }).where(where)
  }
}

/** Record the error of an attempt that will be retried. */
export async function noteError(db: Database, organisationId: string, recipientId: string, errorCode: string): Promise<void> {
  await db
    .update(invitationRecipients)
    .set({ lastError: errorCode })
    .where(and(eq(invitationRecipients.id, recipientId), eq(invitationRecipients.organisationId, organisationId)))
}

export interface MailingSummary {
  id: string
  name: string
  transport: string
  createdAt: Date
  recipients: number
  queued: number
  sent: number
  failed: number
  answered: number
  remindersSent: number
  reminderQueued: number
  reminderFailed: number
  /** Sent, not answered, not opted out, address still held: who a reminder would go to now. */
  remindable: number
  addressesDeleteAfter: Date
  addressesDeletedAt: Date | null
}

/** Each mailing of the survey with its progress and response rate, newest first, counted in the database. */
export async function listMailings(db: Database, organisationId: string, surveyId: string): Promise<MailingSummary[]> {
  const rows = rowsOf<Record<string, string | number | Date | null>>(
    await db.execute(sql`
      select m.id, m.name, m.transport, m.created_at, m.reminders_sent, m.addresses_delete_after, m.addresses_deleted_at,
        count(r.id)::int as recipients,
        count(r.id) filter (where r.status = 'queued')::int as queued,
        count(r.id) filter (where r.status = 'sent')::int as sent,
        count(r.id) filter (where r.status = 'failed')::int as failed,
        count(r.id) filter (where r.status = 'sent' and i.used_at is not null)::int as answered,
        count(r.id) filter (where r.reminder_status = 'queued')::int as reminder_queued,
        count(r.id) filter (where r.reminder_status = 'failed')::int as reminder_failed,
        count(r.id) filter (where r.status = 'sent' and i.used_at is null and r.opted_out_at is null
          and r.email is not null)::int as remindable
      from invitation_mailings m
      left join invitation_recipients r on r.mailing_id = m.id and r.organisation_id = m.organisation_id
      left join response_invitations i on i.id = r.invitation_id and i.organisation_id = m.organisation_id
      where m.organisation_id = ${organisationId}::uuid and m.survey_id = ${surveyId}::uuid
      group by m.id
      order by m.created_at desc`),
  )
  return rows.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    transport: String(r.transport),
    createdAt: new Date(r.created_at as string),
    recipients: Number(r.recipients),
    queued: Number(r.queued),
    sent: Number(r.sent),
    failed: Number(r.failed),
    answered: Number(r.answered),
    remindersSent: Number(r.reminders_sent),
    reminderQueued: Number(r.reminder_queued),
    reminderFailed: Number(r.reminder_failed),
    remindable: Number(r.remindable),
    addressesDeleteAfter: new Date(r.addresses_delete_after as string),
    addressesDeletedAt: r.addresses_deleted_at ? new Date(r.addresses_deleted_at as string) : null,
  }))
}

/**
 * Start a reminder round for a mailing of the organisation's survey: every recipient who was sent the
 * invitation, has not answered or opted out, and whose address is still held, is marked for a reminder.
 * Returns the round's number and the recipients, or null when the mailing is not the organisation's survey's.
 */
export async function startReminderRound(
  db: Database,
  organisationId: string,
  surveyId: string,
  mailingId: string,
  now = new Date(),
): Promise<{ round: number; recipientIds: string[] } | null> {
  return db.transaction(async (tx) => {
    const mailing = rowsOf<{ reminders_sent: number }>(
      await tx.execute(sql`
        update invitation_mailings set reminders_sent = reminders_sent + 1, last_reminder_at = ${now.toISOString()}::timestamptz
        where id = ${mailingId}::uuid and organisation_id = ${organisationId}::uuid and survey_id = ${surveyId}::uuid
        returning reminders_sent`),
    )[0]
    if (!mailing) return null
    const recipients = rowsOf<{ id: string }>(
      await tx.execute(sql`
        update invitation_recipients r set reminder_status = 'queued', reminder_attempts = 0
        from response_invitations i
        where r.mailing_id = ${mailingId}::uuid and r.organisation_id = ${organisationId}::uuid
          and i.id = r.invitation_id and i.organisation_id = r.organisation_id
          and r.status = 'sent' and i.used_at is null and r.opted_out_at is null and r.email is not null
        returning r.id`),
    )
    return { round: Number(mailing.reminders_sent), recipientIds: recipients.map((r) => r.id) }
  })
}

/**
 * Forget addresses and plain tokens that no reminder can need any more, at `now`: those who answered (normally
 * gone already, by the trigger of db/migrations/0010_forget_address_on_answer.sql), and
 * every recipient of a mailing past its deletion date or whose survey is closed or past its closing date.
 * Returns, per organisation and survey, how many addresses were deleted. Idempotent.
 */
export async function forgetAddresses(
  db: Database,
  now = new Date(),
): Promise<Array<{ organisationId: string; surveyId: string; deleted: number }>> {
  const at = now.toISOString()
  const rows = rowsOf<{ organisation_id: string; survey_id: string }>(
    await db.execute(sql`
      with due as (
        select m.id, m.organisation_id, m.survey_id,
          (m.addresses_delete_after <= ${at}::timestamptz or s.status = 'closed' or s.closes_at <= ${at}::timestamptz) as expired
        from invitation_mailings m join surveys s on s.id = m.survey_id and s.organisation_id = m.organisation_id
        where m.addresses_deleted_at is null
      ), forgotten as (
        update invitation_recipients r set email = null, link_token = null
        from due, response_invitations i
        where r.mailing_id = due.id and r.organisation_id = due.organisation_id
          and i.id = r.invitation_id and i.organisation_id = r.organisation_id
          and r.email is not null and (due.expired or i.used_at is not null)
        returning due.organisation_id, due.survey_id
      ), closed as (
        update invitation_mailings m set addresses_deleted_at = ${at}::timestamptz
        from due where m.id = due.id and due.expired
      )
      select organisation_id, survey_id from forgotten`),
  )
  const counts = new Map<string, { organisationId: string; surveyId: string; deleted: number }>()
  for (const row of rows) {
    const key = `${row.organisation_id}/${row.survey_id}`
    const entry = counts.get(key) ?? { organisationId: row.organisation_id, surveyId: row.survey_id, deleted: 0 }
    entry.deleted++
    counts.set(key, entry)
  }
  return [...counts.values()]
}

/** Stop reminders for the invitation with this token and delete its address now; false if no such recipient. */
export async function optOutByToken(db: Database, surveyId: string, token: string, now = new Date()): Promise<boolean> {
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      update invitation_recipients r set opted_out_at = ${now.toISOString()}::timestamptz, email = null, link_token = null
      from response_invitations i
      where i.id = r.invitation_id and i.organisation_id = r.organisation_id
        and i.token_hash = ${hashInvitationToken(token)} and i.survey_id = ${surveyId}::uuid
        and r.opted_out_at is null
      returning r.id`),
  )
  return rows.length > 0
}
