import { and, eq, sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'
import { surveys } from '../schema.ts'

/*
 * Retention (UK GDPR storage limitation) per survey: what a change of period would delete, the change itself,
 * and the purge one survey at a time so that every purge is audited with its count in the survey's own
 * organisation (app/services/retention.server.ts). Every function but the platform-wide listing takes the
 * organisation id, so another organisation's survey id matches nothing.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Rows per purge DELETE, as db/queries/responses.ts purgeExpiredResponses: the aggregate triggers see each
 * statement's deleted rows at once, and one statement never holds more than this many row locks. */
const PURGE_BATCH_ROWS = 10_000

/**
 * How many of a survey's responses are older than `days` days at `now`: what the next purge would delete if
 * the retention period were `days`. Null when the survey is not in the organisation.
 */
export async function countResponsesOlderThan(
  db: Database,
  organisationId: string,
  surveyId: string,
  days: number,
  now = new Date(),
): Promise<number | null> {
  if (!UUID.test(surveyId) || !UUID.test(organisationId)) return null
  const rows = rowsOf<{ found: boolean; n: number }>(
    await db.execute(sql`
      select exists(select 1 from surveys where id = ${surveyId}::uuid and organisation_id = ${organisationId}::uuid) as found,
             (select count(*)::int from responses
               where survey_id = ${surveyId}::uuid and organisation_id = ${organisationId}::uuid
                 and submitted_at < ${now.toISOString()}::timestamptz - make_interval(days => ${days}::int)) as n`),
  )
  const row = rows[0]
  return row?.found ? Number(row.n) : null
}

/** Set a survey's retention period. Returns the previous period, or null when the survey is not in the organisation. */
export async function setRetentionDays(db: Database, organisationId: string, surveyId: string, days: number): Promise<number | null> {
  if (!UUID.test(surveyId)) return null
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ retentionDays: surveys.retentionDays })
      .from(surveys)
      .where(and(eq(surveys.id, surveyId), eq(surveys.organisationId, organisationId)))
      .for('update')
    if (!before) return null
    await tx.update(surveys).set({ retentionDays: days }).where(and(eq(surveys.id, surveyId), eq(surveys.organisationId, organisationId)))
    return before.retentionDays
  })
}

export interface SurveyPastRetention {
  organisationId: string
  surveyId: string
  retentionDays: number
}

/** Every survey, in every organisation, that holds at least one response older than its retention period. */
export async function listSurveysPastRetention(db: Database, now = new Date()): Promise<SurveyPastRetention[]> {
  const rows = rowsOf<{ organisation_id: string; survey_id: string; retention_days: number }>(
    await db.execute(sql`
      select s.organisation_id, s.id as survey_id, s.retention_days from surveys s
       where exists (select 1 from responses r
                      where r.survey_id = s.id
                        and r.submitted_at < ${now.toISOString()}::timestamptz - make_interval(days => s.retention_days))
       order by s.organisation_id, s.id`),
  )
  return rows.map((r) => ({ organisationId: r.organisation_id, surveyId: r.survey_id, retentionDays: Number(r.retention_days) }))
}

/**
 * Delete one survey's responses older than its retention period at `now`, in statements of at most 10,000
 * rows; the aggregate triggers subtract each statement's rows in the same transaction
 * (db/migrations/0001_maintained_aggregates.sql), so figures stay exact. Returns the count.
 */
export async function purgeSurveyPastRetention(db: Database, organisationId: string, surveyId: string, now = new Date()): Promise<number> {
  if (!UUID.test(surveyId) || !UUID.test(organisationId)) return 0
  let purged = 0
  for (;;) {
    const rows = rowsOf<{ n: number }>(
      await db.execute(sql`
        with expired as (
          select r.id from responses r join surveys s on s.id = r.survey_id
           where r.survey_id = ${surveyId}::uuid and s.organisation_id = ${organisationId}::uuid
             and r.submitted_at < ${now.toISOString()}::timestamptz - make_interval(days => s.retention_days)
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
