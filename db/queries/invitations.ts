import { createHash, randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'
import { responseInvitations } from '../schema.ts'

/** The most tokens one request may issue: a CSV of this many links is still a small download. */
export const MAX_INVITATIONS_PER_BATCH = 10_000

/** SHA-256 hex of a token, the same function as the app's hashToken, so the submit path can find the row. */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** 160 random bits, URL-safe (27 characters): far beyond guessing, short enough to print on a letter. */
export function newInvitationToken(): string {
  return randomBytes(20).toString('base64url')
}

export interface IssuedInvitations {
  batch: string
  tokens: string[]
}

/**
 * Issue `count` single-use tokens for a survey. Only their hashes are stored, so the plain tokens returned
 * here exist nowhere else: the caller must hand them over now (the CSV download) or they are lost.
 */
export async function issueInvitations(
  db: Database,
  organisationId: string,
  surveyId: string,
  count: number,
  batch: string,
  segments: Record<string, string> = {},
): Promise<IssuedInvitations> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_INVITATIONS_PER_BATCH) {
    throw new Error(`issueInvitations: count must be 1..${MAX_INVITATIONS_PER_BATCH}`)
  }
  const tokens = Array.from({ length: count }, newInvitationToken)
  await db.transaction(async (tx) => {
    for (let i = 0; i < tokens.length; i += 1000) {
      await tx.insert(responseInvitations).values(
        tokens.slice(i, i + 1000).map((token) => ({
          organisationId,
          surveyId,
          tokenHash: hashInvitationToken(token),
          batch,
          segments,
        })),
      )
    }
  })
  return { batch, tokens }
}

export interface InvitationCounts {
  issued: number
  used: number
}

export interface InvitationBatchCounts extends InvitationCounts {
  batch: string
  createdAt: Date
}

/** Issued and used counts for response rates, aggregated in PostgreSQL. */
export async function countInvitations(db: Database, organisationId: string, surveyId: string): Promise<InvitationCounts> {
  const rows = rowsOf<{ issued: number; used: number }>(
    await db.execute(sql`
      select count(*)::int as issued, count(used_at)::int as used
      from response_invitations
      where organisation_id = ${organisationId} and survey_id = ${surveyId}`),
  )
  return { issued: Number(rows[0]?.issued ?? 0), used: Number(rows[0]?.used ?? 0) }
}

export async function countInvitationsByBatch(db: Database, organisationId: string, surveyId: string): Promise<InvitationBatchCounts[]> {
  const rows = rowsOf<{ batch: string; issued: number; used: number; created_at: string | Date }>(
    await db.execute(sql`
      select batch, count(*)::int as issued, count(used_at)::int as used, min(created_at) as created_at
      from response_invitations
      where organisation_id = ${organisationId} and survey_id = ${surveyId}
      group by batch
      order by min(created_at) desc`),
  )
  return rows.map((r) => ({ batch: r.batch, issued: Number(r.issued), used: Number(r.used), createdAt: new Date(r.created_at) }))
}

export type InvitationState = 'unused' | 'used' | 'unknown'

/** Whether a token is still usable for this survey, so the page can say so politely before anyone answers. */
export async function invitationState(db: Database, surveyId: string, token: string): Promise<InvitationState> {
  const rows = rowsOf<{ used: boolean }>(
    await db.execute(sql`
      select used_at is not null as used from response_invitations
      where token_hash = ${hashInvitationToken(token)} and survey_id = ${surveyId}
      limit 1`),
  )
  if (rows.length === 0) return 'unknown'
  return rows[0]!.used ? 'used' : 'unused'
}

export interface InvitationResponse {
  responseId: string
  clientId: string
  payloadHash: string
  receipt: string
}

/**
 * The response stored on an invitation, if any. A submission refused because its invitation is used may be a
 * retry of that very response (the same idempotency key and answers, sent twice at once): the caller answers
 * it as a replay with this receipt (issue 12, finding 7). Scoped by organisation and survey.
 */
export async function findInvitationResponse(
  db: Database,
  organisationId: string,
  surveyId: string,
  tokenHash: string,
): Promise<InvitationResponse | null> {
  const rows = rowsOf<{ id: string; client_id: string; payload_hash: string; receipt: string }>(
    await db.execute(sql`
      select r.id, r.client_id, r.payload_hash, r.receipt
      from response_invitations i join responses r on r.invitation_id = i.id
      where i.token_hash = ${tokenHash} and i.survey_id = ${surveyId} and i.organisation_id = ${organisationId}
        and r.survey_id = ${surveyId} and r.organisation_id = ${organisationId}
      limit 1`),
  )
  const row = rows[0]
  return row ? { responseId: row.id, clientId: row.client_id, payloadHash: row.payload_hash, receipt: row.receipt } : null
}
