import { createHash, randomBytes } from 'node:crypto'
import { and, eq, sql, TransactionRollbackError } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'
import { responses } from '../schema.ts'
import { foldQueuedResponses } from './aggregate-queue.ts'

export type ResponseSource = (typeof responses.$inferInsert)['source']

export interface NewResponse {
  organisationId: string
  surveyId: string
  surveyVersionId: string
  clientId: string
  wave: string
  answers: Record<string, unknown>
  segments: Record<string, string>
  source: ResponseSource
  /** SHA-256 (hex) of a single-use invitation token, when the response comes from one. */
  invitationTokenHash?: string
  submittedAt?: Date
}

export type StoreResult =
  | { status: 'created'; receipt: string; responseId: string }
  | { status: 'replayed'; receipt: string; responseId: string }
  | { status: 'conflict' }
  | { status: 'invitation_invalid' }

/** Canonical JSON (sorted keys) so the same answers always hash the same, whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

export function payloadHash(answers: unknown, segments: unknown): string {
  return createHash('sha256').update(canonical({ answers, segments })).digest('hex')
}

const RECEIPT_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ' // Crockford base32: no I, L, O, U to misread

/** A receipt the respondent can quote: 50 random bits, grouped for reading aloud, e.g. `K7QM-2XHD-9A`. */
export function newReceipt(): string {
  const bytes = randomBytes(10)
  let out = ''
  for (let i = 0; i < 10; i++) out += RECEIPT_ALPHABET[bytes[i]! & 31]
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8)}`
}

async function findByClientId(db: Database, surveyId: string, clientId: string) {
  const rows = await db
    .select({ id: responses.id, receipt: responses.receipt, payloadHash: responses.payloadHash })
    .from(responses)
    .where(and(eq(responses.surveyId, surveyId), eq(responses.clientId, clientId)))
    .limit(1)
  return rows[0]
}

function responseRow(input: NewResponse, hash: string, receipt: string, invitationId: string | null): typeof responses.$inferInsert {
  return {
    organisationId: input.organisationId,
    surveyId: input.surveyId,
    surveyVersionId: input.surveyVersionId,
    clientId: input.clientId,
    payloadHash: hash,
    receipt,
    wave: input.wave,
    answers: input.answers,
    segments: input.segments,
    source: input.source,
    invitationId,
    ...(input.submittedAt ? { submittedAt: input.submittedAt } : {}),
  }
}

function insertSubmissionQuery(db: Database) {
  const p = (name: keyof NewResponse | 'payloadHash' | 'receipt') => sql.placeholder(name)
  return db
    .insert(responses)
    .values({
      organisationId: p('organisationId'),
      surveyId: p('surveyId'),
      surveyVersionId: p('surveyVersionId'),
      clientId: p('clientId'),
      payloadHash: p('payloadHash'),
      receipt: p('receipt'),
      wave: p('wave'),
      answers: p('answers'),
      segments: p('segments'),
      source: p('source'),
    })
    .onConflictDoNothing({ target: [responses.surveyId, responses.clientId] })
    .returning({ id: responses.id })
    .prepare('cse_insert_submission')
}

// The single INSERT of a submission without an invitation, built once per database handle: Drizzle then skips
// building the statement on every submission, and node-postgres prepares it once per connection, so PostgreSQL
// skips parsing and planning it (docs/benchmarks.md, ingest, 2026-12-03).
const insertSubmissionQueries = new WeakMap<Database, ReturnType<typeof insertSubmissionQuery>>()

function insertSubmission(db: Database): ReturnType<typeof insertSubmissionQuery> {
  let query = insertSubmissionQueries.get(db)
  if (!query) insertSubmissionQueries.set(db, (query = insertSubmissionQuery(db)))
  return query
}

/**
 * Store one response in one transaction, idempotently on (survey, client id): the same key and payload
 * returns the original receipt; the same key with a different payload is a conflict. An invitation token is
 * consumed in the same transaction, so a token can be used once however many requests race for it.
 * The caller acknowledges only after this resolves, i.e. after COMMIT.
 */
export async function storeResponse(db: Database, input: NewResponse): Promise<StoreResult> {
  const hash = payloadHash(input.answers, input.segments)
  if (!input.invitationTokenHash) {
    // Without an invitation there is one row to write: a single INSERT is its own transaction, so this is one
    // round trip instead of four (look-up, BEGIN, INSERT, COMMIT). A taken key falls through to the replay check.
    const receipt = newReceipt()
    const inserted = input.submittedAt
      ? await db
          .insert(responses)
          .values(responseRow(input, hash, receipt, null))
          .onConflictDoNothing({ target: [responses.surveyId, responses.clientId] })
          .returning({ id: responses.id })
      : await insertSubmission(db).execute({ ...input, payloadHash: hash, receipt })
    if (inserted[0]) return { status: 'created', receipt, responseId: inserted[0].id }
    const winner = await findByClientId(db, input.surveyId, input.clientId)
    if (!winner) throw new Error('storeResponse: conflicting row vanished')
    return winner.payloadHash === hash ? { status: 'replayed', receipt: winner.receipt, responseId: winner.id } : { status: 'conflict' }
  }
  const existing = await findByClientId(db, input.surveyId, input.clientId)
  if (existing) {
    return existing.payloadHash === hash
      ? { status: 'replayed', receipt: existing.receipt, responseId: existing.id }
      : { status: 'conflict' }
  }
  const outcome = await db.transaction(async (tx) => {
    let invitationId: string | null = null
    if (input.invitationTokenHash) {
      const consumed = rowsOf<{ id: string }>(
        await tx.execute(sql`
          update response_invitations set used_at = now()
          where token_hash = ${input.invitationTokenHash} and survey_id = ${input.surveyId}
            and organisation_id = ${input.organisationId} and used_at is null
          returning id`),
      )
      if (consumed.length === 0) return { status: 'invitation_invalid' as const }
      invitationId = consumed[0]!.id
    }
    const receipt = newReceipt()
    const inserted = await tx
      .insert(responses)
      .values(responseRow(input, hash, receipt, invitationId))
      .onConflictDoNothing({ target: [responses.surveyId, responses.clientId] })
      .returning({ id: responses.id })
    if (inserted.length === 0) {
      // A concurrent request with the same key committed first. Roll back so any invitation stays as it was.
      tx.rollback()
    }
    return { status: 'created' as const, receipt, responseId: inserted[0]!.id }
  }).catch(async (error: unknown) => {
    if (error instanceof TransactionRollbackError) return null
    throw error
  })
  if (outcome) return outcome
  const winner = await findByClientId(db, input.surveyId, input.clientId)
  if (!winner) throw new Error('storeResponse: concurrent insert vanished')
  return winner.payloadHash === hash
    ? { status: 'replayed', receipt: winner.receipt, responseId: winner.id }
    : { status: 'conflict' }
}

/** Responses of one survey, from the maintained aggregates (db/queries/aggregates.ts), after folding its queue: no scan. */
export async function countResponses(db: Database, organisationId: string, surveyId: string): Promise<number> {
  await foldQueuedResponses(db, organisationId, [surveyId])
  const rows = rowsOf<{ n: number | string | null }>(
    await db.execute(
      sql`select sum(responses)::bigint as n from response_segment_cells where organisation_id = ${organisationId} and survey_id = ${surveyId}`,
    ),
  )
  return Number(rows[0]?.n ?? 0)
}

export interface RatingTally {
  responses: number
  valid: number
  satisfied: number
}

/**
 * Counts for one rating question, from the maintained aggregates: all responses, valid answers (coded values,
 * so "don't know" is outside the base) and satisfied answers. Answers are compared as text, as stored, so 5
 * and "5" code alike.
 */
export async function tallyRating(
  db: Database,
  organisationId: string,
  surveyId: string,
  question: string,
  validValues: number[],
  satisfiedValues: number[],
): Promise<RatingTally> {
  const countOf = (values: number[]) =>
    values.length === 0
      ? sql`0::bigint`
      : sql.join(
          values.map((v) => sql`coalesce((c.answers->${question}::text->>${String(v)}::text)::bigint, 0)`),
          sql` + `,
        )
  await foldQueuedResponses(db, organisationId, [surveyId])
  const rows = rowsOf<{ n: number | string | null; valid: number | string | null; satisfied: number | string | null }>(
    await db.execute(sql`
      select sum(c.responses)::bigint as n, sum(${countOf([...new Set(validValues)])})::bigint as valid,
             sum(${countOf([...new Set(satisfiedValues)])})::bigint as satisfied
      from response_segment_cells c
      where c.organisation_id = ${organisationId} and c.survey_id = ${surveyId}`),
  )
  const row = rows[0]
  return { responses: Number(row?.n ?? 0), valid: Number(row?.valid ?? 0), satisfied: Number(row?.satisfied ?? 0) }
}

export async function receiptExists(db: Database, surveyId: string, receipt: string): Promise<boolean> {
  const rows = await db
    .select({ id: responses.id })
    .from(responses)
    .where(and(eq(responses.surveyId, surveyId), eq(responses.receipt, receipt)))
    .limit(1)
  return rows.length > 0
}

export interface ImportedResponse {
  clientId: string
  wave: string
  answers: Record<string, unknown>
  segments: Record<string, string>
}

/** Rows per INSERT statement. Each batch travels as ONE jsonb parameter, expanded by jsonb_to_recordset in
 * PostgreSQL: far cheaper than 11 bound parameters a row, and clear of the 65,535-parameter limit. */
const IMPORT_BATCH_ROWS = 5_000

/**
 * Insert already-validated imported rows with multi-row INSERTs inside the caller's transaction (pass `tx`),
 * so a failure part-way leaves nothing behind. Rows whose client id is already stored (the same file
 * imported twice) are skipped, which makes re-running an import harmless. Returns how many were new.
 */
export async function insertImportedResponses(
  db: Database,
  target: { organisationId: string; surveyId: string; surveyVersionId: string },
  rows: ImportedResponse[],
  onProgress?: (done: number) => void,
): Promise<number> {
  let inserted = 0
  for (let i = 0; i < rows.length; i += IMPORT_BATCH_ROWS) {
    const slice = rows.slice(i, i + IMPORT_BATCH_ROWS)
    const batch = JSON.stringify(
      slice.map((row) => ({
        client_id: row.clientId,
        payload_hash: payloadHash(row.answers, row.segments),
        receipt: newReceipt(),
        wave: row.wave,
        answers: row.answers,
        segments: row.segments,
      })),
    )
    const result = rowsOf<{ n: number }>(
      await db.execute(sql`
        with inserted as (
          insert into responses (organisation_id, survey_id, survey_version_id, client_id, payload_hash, receipt, wave, answers, segments, source)
          select ${target.organisationId}::uuid, ${target.surveyId}::uuid, ${target.surveyVersionId}::uuid,
                 x.client_id, x.payload_hash, x.receipt, x.wave, x.answers, x.segments, 'import'::response_source
          from jsonb_to_recordset(${batch}::jsonb)
            as x(client_id uuid, payload_hash text, receipt text, wave text, answers jsonb, segments jsonb)
          on conflict (survey_id, client_id) do nothing
          returning 1
        )
        select count(*)::int as n from inserted`),
    )
    inserted += Number(result[0]?.n ?? 0)
    onProgress?.(Math.min(i + slice.length, rows.length))
  }
  return inserted
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Rows per retention DELETE: the aggregate triggers see each statement's deleted rows at once. */
const PURGE_BATCH_ROWS = 10_000

/**
 * Delete responses older than each survey's retention period (UK GDPR storage limitation) across all
 * organisations, in statements of at most 10,000 rows, each of which also subtracts its rows from the
 * maintained aggregates in the same transaction (db/migrations/0001_maintained_aggregates.sql). Invitations
 * used by purged responses keep only their used flag. Returns the count.
 */
export async function purgeExpiredResponses(db: Database, now = new Date()): Promise<number> {
  let purged = 0
  for (;;) {
    const rows = rowsOf<{ n: number }>(
      await db.execute(sql`
        with expired as (
          select r.id from responses r join surveys s on s.id = r.survey_id
           where r.submitted_at < ${now.toISOString()}::timestamptz - make_interval(days => s.retention_days)
           limit ${PURGE_BATCH_ROWS}
        ), purged as (
          delete from responses r using expired e where r.id = e.id returning 1
        )
        select count(*)::int as n from purged`),
    )
    const n = Number(rows[0]?.n ?? 0)
    purged += n
    if (n < PURGE_BATCH_ROWS) return purged
  }
}

/**
 * Erase one response (a respondent's right to erasure), inside its organisation. The aggregate triggers
 * subtract it in the same statement, so every figure read afterwards is as if it had never been stored.
 * Returns false when no such response exists in the organisation.
 */
export async function eraseResponse(db: Database, organisationId: string, responseId: string): Promise<boolean> {
  if (!UUID.test(responseId) || !UUID.test(organisationId)) return false
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      delete from responses where organisation_id = ${organisationId}::uuid and id = ${responseId}::uuid returning id`),
  )
  return rows.length > 0
}

/** Drop save-and-resume drafts past their expiry. */
export async function purgeExpiredResumeTokens(db: Database, now = new Date()): Promise<number> {
  const rows = rowsOf<{ n: number }>(
    await db.execute(sql`
      with purged as (delete from resume_tokens where expires_at < ${now.toISOString()}::timestamptz returning 1)
      select count(*)::int as n from purged`),
  )
  return Number(rows[0]?.n ?? 0)
}

/** A save-and-resume draft; its queries are in db/queries/resume-drafts.ts. */
export interface ResumeDraft {
  answers: Record<string, unknown>
  segments: Record<string, string>
  clientId: string
  lang: string
  currentPage: number
}
