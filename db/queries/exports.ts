import { and, desc, eq, like, sql, type SQL } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'
import { auditLog, evidencePacks, users } from '../schema.ts'

/*
 * Database access for exports. Every function takes the organisation id and filters on it, so an id from
 * another organisation finds nothing. Response rows are only ever read in bounded batches (keyset
 * pagination), never all at once: the microdata export streams in constant memory.
 */

/** One response as the microdata export reads it. */
export interface ResponseExportRow {
  id: string
  /** submitted_at as PostgreSQL text (microsecond precision), used as the keyset cursor */
  cursor: string
  submittedAt: string
  wave: string
  source: string
  answers: Record<string, unknown>
  segments: Record<string, string>
}

/** Position after the last row of a batch: (submitted_at, id). */
export interface ExportCursor {
  submittedAt: string
  id: string
}

/** The surveys whose responses are read: one survey, or every survey of a series (its waves). */
function surveysCondition(surveyIds: string | ReadonlyArray<string>): SQL {
  const ids = typeof surveyIds === 'string' ? [surveyIds] : surveyIds
  if (ids.length === 0) return sql`false`
  return sql`r.survey_id in (${sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  )})`
}

/**
 * Next batch of a survey's (or a series' surveys') responses in (submitted_at, id) order, after `after`.
 * Keyset pagination keeps every query cheap (an index range scan on responses_org_survey_submitted_idx) and the
 * process memory bounded by the batch size, on PGlite and PostgreSQL alike.
 */
export async function fetchResponseBatch(
  db: Database,
  organisationId: string,
  surveyIds: string | ReadonlyArray<string>,
  after: ExportCursor | null,
  limit: number,
): Promise<ResponseExportRow[]> {
  const afterCondition = after
    ? sql`and (r.submitted_at, r.id) > (${after.submittedAt}::timestamptz, ${after.id}::uuid)`
    : sql``
  const rows = rowsOf<{
    id: string
    cursor: string
    submitted_at: string
    wave: string
    source: string
    answers: Record<string, unknown> | string
    segments: Record<string, string> | string
  }>(
    await db.execute(sql`
      select r.id::text as id, r.submitted_at::text as cursor,
             to_char(r.submitted_at at time zone 'UTC', 'YYYY-MM-DD') as submitted_at,
             r.wave, r.source::text as source, r.answers, r.segments
        from responses r
       where r.organisation_id = ${organisationId}::uuid and ${surveysCondition(surveyIds)} ${afterCondition}
       order by r.submitted_at, r.id
       limit ${limit}`),
  )
  return rows.map((r) => ({
    id: r.id,
    cursor: r.cursor,
    submittedAt: r.submitted_at,
    wave: r.wave,
    source: r.source,
    answers: typeof r.answers === 'string' ? (JSON.parse(r.answers) as Record<string, unknown>) : r.answers,
    segments:
      typeof r.segments === 'string' ? (JSON.parse(r.segments) as Record<string, string>) : r.segments,
  }))
}

/** Counts the methods note needs: responses by source and by wave, fieldwork dates, invitations. */
export interface FieldworkSummary {
  responses: number
  firstAt: string | null
  lastAt: string | null
  bySource: Array<{ source: string; responses: number }>
  invitations: { issued: number; used: number }
  /** responses that came through an invitation link */
  invitedResponses: number
}

export async function loadFieldworkSummary(
  db: Database,
  organisationId: string,
  surveyId: string,
): Promise<FieldworkSummary> {
  const totals = rowsOf<{
    n: string | number
    first_at: string | null
    last_at: string | null
    invited: string | number
  }>(
    await db.execute(sql`
      select count(*)::bigint as n,
             to_char(min(submitted_at) at time zone 'UTC', 'YYYY-MM-DD') as first_at,
             to_char(max(submitted_at) at time zone 'UTC', 'YYYY-MM-DD') as last_at,
             count(invitation_id)::bigint as invited
        from responses where organisation_id = ${organisationId}::uuid and survey_id = ${surveyId}::uuid`),
  )[0]
  const bySource = rowsOf<{ source: string; n: string | number }>(
    await db.execute(sql`
      select source::text as source, count(*)::bigint as n
        from responses where organisation_id = ${organisationId}::uuid and survey_id = ${surveyId}::uuid
       group by 1 order by 2 desc`),
  )
  const invitations = rowsOf<{ issued: string | number; used: string | number }>(
    await db.execute(sql`
      select count(*)::bigint as issued, count(used_at)::bigint as used
        from response_invitations where organisation_id = ${organisationId}::uuid and survey_id = ${surveyId}::uuid`),
  )[0]
  return {
    responses: Number(totals?.n ?? 0),
    firstAt: totals?.first_at ?? null,
    lastAt: totals?.last_at ?? null,
    bySource: bySource.map((r) => ({ source: r.source, responses: Number(r.n) })),
    invitations: { issued: Number(invitations?.issued ?? 0), used: Number(invitations?.used ?? 0) },
    invitedResponses: Number(totals?.invited ?? 0),
  }
}

export interface EvidencePackSummary {
  id: string
  contentHash: string
  sizeBytes: number
  createdAt: Date
  createdByName: string | null
}

/** Stores a frozen pack: the ZIP bytes (base64 in the text column) with their SHA-256. */
export async function insertEvidencePack(
  db: Database,
  input: {
    organisationId: string
    surveyId: string
    createdBy: string | null
    contentHash: string
    zip: Uint8Array
    createdAt?: Date
  },
): Promise<EvidencePackSummary> {
  const [row] = await db
    .insert(evidencePacks)
    .values({
      organisationId: input.organisationId,
      surveyId: input.surveyId,
      createdBy: input.createdBy,
      contentHash: input.contentHash,
      sizeBytes: input.zip.byteLength,
      content: Buffer.from(input.zip).toString('base64'),
      ...(input.createdAt ? { createdAt: input.createdAt } : {}),
    })
    .returning({
      id: evidencePacks.id,
      contentHash: evidencePacks.contentHash,
      sizeBytes: evidencePacks.sizeBytes,
      createdAt: evidencePacks.createdAt,
    })
  if (!row) throw new Error('insertEvidencePack: insert returned no row')
  return { ...row, createdByName: null }
}

/** Every pack of a survey, newest first, without the content. */
export async function listEvidencePacks(
  db: Database,
  organisationId: string,
  surveyId: string,
): Promise<EvidencePackSummary[]> {
  return db
    .select({
      id: evidencePacks.id,
      contentHash: evidencePacks.contentHash,
      sizeBytes: evidencePacks.sizeBytes,
      createdAt: evidencePacks.createdAt,
      createdByName: users.name,
    })
    .from(evidencePacks)
    .leftJoin(users, eq(users.id, evidencePacks.createdBy))
    .where(and(eq(evidencePacks.organisationId, organisationId), eq(evidencePacks.surveyId, surveyId)))
    .orderBy(desc(evidencePacks.createdAt))
}

/** One pack with its ZIP bytes, or null when the id is not a pack of this survey in this organisation. */
export async function getEvidencePack(
  db: Database,
  organisationId: string,
  surveyId: string,
  packId: string,
): Promise<(EvidencePackSummary & { zip: Uint8Array }) | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(packId)) return null
  const rows = await db
    .select({
      id: evidencePacks.id,
      contentHash: evidencePacks.contentHash,
      sizeBytes: evidencePacks.sizeBytes,
      createdAt: evidencePacks.createdAt,
      content: evidencePacks.content,
    })
    .from(evidencePacks)
    .where(
      and(
        eq(evidencePacks.organisationId, organisationId),
        eq(evidencePacks.surveyId, surveyId),
        eq(evidencePacks.id, packId),
      ),
    )
    .limit(1)
  const row = rows[0]
  if (!row) return null
  return {
    id: row.id,
    contentHash: row.contentHash,
    sizeBytes: row.sizeBytes,
    createdAt: row.createdAt,
    createdByName: null,
    zip: new Uint8Array(Buffer.from(row.content, 'base64')),
  }
}

export interface ExportAuditEntry {
  id: string
  action: string
  at: Date
  userName: string | null
  details: unknown
}

/** Export audit entries of one survey (who exported what, when), newest first. */
export async function listExportAudit(
  db: Database,
  organisationId: string,
  surveyId: string,
  limit = 50,
): Promise<ExportAuditEntry[]> {
  return db
    .select({
      id: auditLog.id,
      action: auditLog.action,
      at: auditLog.at,
      userName: users.name,
      details: auditLog.details,
    })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.userId))
    .where(
      and(
        eq(auditLog.organisationId, organisationId),
        eq(auditLog.targetType, 'survey'),
        eq(auditLog.targetId, surveyId),
        like(auditLog.action, 'export.%'),
      ),
    )
    .orderBy(desc(auditLog.at))
    .limit(limit)
}

/** One microdata column as PostgreSQL formats it (see {@link fetchCsvLineBatch}). */
export type SqlCsvColumn =
  | { kind: 'wave' | 'submitted_on' | 'source' | 'weight' }
  | { kind: 'answer'; question: string }
  | { kind: 'segment'; segment: string }

/**
 * The same records as {@link fetchResponseBatch}, already formatted as RFC 4180 CSV by PostgreSQL (every field
 * quoted, quotes doubled, text starting with = + - @ tab CR LF prefixed with an apostrophe; numbers as numbers),
 * and joined into one string per batch: each record starts with its running respondent number and ends with
 * CRLF. Node then handles one string per batch instead of parsed jsonb objects or one row object per response,
 * so the microdata stream makes little garbage, which keeps the process small at a million rows. Weights are
 * looked up in SQL from the cell-weight map (levels joined with \u0001 → weight already formatted as text).
 * app/utils/csv.ts is the reference; tests/integration/export.test.ts checks that both give the same bytes.
 * Returns null when no rows are left.
 */
export async function fetchCsvLineBatch(
  db: Database,
  organisationId: string,
  surveyIds: string | ReadonlyArray<string>,
  after: ExportCursor | null,
  limit: number,
  columns: ReadonlyArray<SqlCsvColumn>,
  weights: { variables: string[]; byCell: Record<string, string> } | null,
  /** respondent numbers continue from here (the rows already written) */
  rowsBefore: number,
): Promise<{ text: string; rows: number; cursor: ExportCursor } | null> {
  const quote = (text: SQL) => sql`'"' || replace(${text}, '"', '""') || '"'`
  const neutralise = (text: SQL) =>
    sql`(case when left(${text}, 1) in ('=', '+', '-', '@', chr(9), chr(13), chr(10)) then '''' || ${text} else ${text} end)`
  const textField = (text: SQL) => sql`coalesce(${quote(neutralise(text))}, '""')`
  const fields = columns.map((c): SQL => {
    switch (c.kind) {
      case 'wave':
        return textField(sql`r.wave`)
      case 'source':
        return textField(sql`r.source::text`)
      case 'submitted_on':
        return quote(sql`to_char(r.submitted_at at time zone 'UTC', 'YYYY-MM-DD')`)
      case 'segment':
        return textField(sql`(r.segments->>${c.segment}::text)`)
      case 'answer': {
        const a = sql`(r.answers->${c.question}::text)`
        return sql`(case jsonb_typeof(${a})
          when 'number' then ${quote(sql`${a}::text`)}
          when 'boolean' then ${quote(sql`${a}::text`)}
          when 'string' then ${quote(neutralise(sql`(${a} #>> '{}')`))}
          when 'array' then ${quote(neutralise(sql`(select coalesce(string_agg(e, ';' order by o), '') from jsonb_array_elements_text(${a}) with ordinality as x(e, o))`))}
          when 'object' then ${quote(neutralise(sql`${a}::text`))}
          else '""' end)`
      }
      case 'weight': {
        if (!weights) return sql`'""'`
        const key = sql.join(
          weights.variables.map((v) => sql`coalesce(r.segments->>${v}::text, '')`),
          sql` || chr(1) || `,
        )
        return sql`coalesce('"' || (${JSON.stringify(weights.byCell)}::jsonb ->> (${key})) || '"', '""')`
      }
    }
  })
  const afterCondition = after
    ? sql`and (r.submitted_at, r.id) > (${after.submittedAt}::timestamptz, ${after.id}::uuid)`
    : sql``
  const respondent = sql`'"' || (${rowsBefore}::bigint + r.n)::text || '"'`
  const line = sql.join([respondent, ...fields], sql` || ',' || `)
  const [batch] = rowsOf<{
    text: string | null
    rows: number | string
    last_id: string | null
    last_at: string | null
  }>(
    await db.execute(sql`
      select string_agg(${line} || chr(13) || chr(10), '' order by r.n) as text, count(*) as rows,
             (array_agg(r.id::text order by r.n desc))[1] as last_id,
             (array_agg(r.submitted_at::text order by r.n desc))[1] as last_at
        from (
          -- Order and limit first, format after: formatting in the same SELECT as the ORDER BY would be
          -- evaluated for every row fed to the sort, not only the rows of the batch.
          select b.*, row_number() over (order by b.submitted_at, b.id) as n
            from (
              select r.id, r.submitted_at, r.wave, r.source, r.answers, r.segments
                from responses r
               where r.organisation_id = ${organisationId}::uuid and ${surveysCondition(surveyIds)} ${afterCondition}
               order by r.submitted_at, r.id
               limit ${limit}
            ) b
        ) r`),
  )
  const rows = Number(batch?.rows ?? 0)
  if (!batch || rows === 0 || batch.text === null || batch.last_id === null || batch.last_at === null) return null
  return { text: batch.text, rows, cursor: { id: batch.last_id, submittedAt: batch.last_at } }
}
