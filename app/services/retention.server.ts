import type { Database } from '#db/client.ts'
import { writeAudit } from '#db/queries/accounts.ts'
import { purgeExpiredResumeTokens } from '#db/queries/responses.ts'
import {
  countResponsesOlderThan,
  listSurveysPastRetention,
  purgeSurveyPastRetention,
  setRetentionDays,
} from '#db/queries/retention.ts'
import { log } from '#app/utils/logger.server.ts'

/*
 * Retention without surprises (issue 12; PRODUCT.md §5 "Silent purges"). A survey's retention period is
 * changed only by an admin, only after seeing how many responses the next purge will delete, and only with
 * that count confirmed (changeRetention); the change and every purge are in the organisation's audit log with
 * their counts. The purge itself runs as a job on the PostgreSQL-backed queue (app/services/jobs.server.ts,
 * docs/decisions/017-job-queue.md), never on a timer in the web process.
 */

/** The bounds the builder has always used for a retention period (app/components/builder/schemas.ts). */
export const RETENTION_MIN_DAYS = 30
export const RETENTION_MAX_DAYS = 3650

export interface PurgeSummary {
  responses: number
  resumeTokens: number
  /** Per survey that lost responses: its organisation, id and count (each also audited). */
  surveys: Array<{ organisationId: string; surveyId: string; deleted: number; retentionDays: number }>
}

/**
 * Enforce each survey's retention period (UK GDPR storage limitation) at `now`: one survey at a time, delete
 * its responses older than its retention_days (in batches, aggregates kept exact by the triggers), then write
 * `retention.purged` with the count to that survey's organisation's audit log; then drop expired
 * save-and-resume drafts. Idempotent, and safe in several processes at once: a row deleted by one is not
 * counted by another. A crash between a survey's delete and its audit entry loses that entry only (the rows
 * are gone either way); the next run audits whatever it deletes.
 */
export async function purgeExpiredData(db: Database, now = new Date()): Promise<PurgeSummary> {
  const summary: PurgeSummary = { responses: 0, resumeTokens: 0, surveys: [] }
  for (const survey of await listSurveysPastRetention(db, now)) {
    const deleted = await purgeSurveyPastRetention(db, survey.organisationId, survey.surveyId, now)
    if (deleted === 0) continue
    summary.responses += deleted
    summary.surveys.push({ ...survey, deleted })
    await writeAudit(db, {
      organisationId: survey.organisationId,
      userId: null,
      action: 'retention.purged',
      targetType: 'survey',
      targetId: survey.surveyId,
      details: { deleted, retentionDays: survey.retentionDays, olderThan: new Date(now.getTime() - survey.retentionDays * 86_400_000).toISOString() },
    })
  }
  summary.resumeTokens = await purgeExpiredResumeTokens(db, now)
  if (summary.responses > 0) log('info', { event: 'retention.purged', count: summary.responses })
  if (summary.resumeTokens > 0) log('info', { event: 'retention.resume_drafts_purged', count: summary.resumeTokens })
  return summary
}

/** How many of the survey's responses the next purge would delete with a period of `days`; null if the survey is not the organisation's. */
export function previewRetention(db: Database, organisationId: string, surveyId: string, days: number, now = new Date()): Promise<number | null> {
  return countResponsesOlderThan(db, organisationId, surveyId, days, now)
}

export type RetentionChange =
  | { status: 'not_found' }
  /** The count the admin confirmed is not what the purge would delete now: show the new count and ask again. */
  | { status: 'count_changed'; willDelete: number }
  | { status: 'changed'; from: number; to: number; willDelete: number }

/**
 * Set a survey's retention period to `days`, but only if `confirmedCount` equals what the next purge would
 * delete with it: the count the admin was shown and confirmed. Anything else changes nothing. Audited as
 * `retention.changed` with the old and new periods and the count. The caller checks the admin role.
 */
export async function changeRetention(
  db: Database,
  actor: { organisationId: string; userId: string },
  surveyId: string,
  days: number,
  confirmedCount: number,
  now = new Date(),
): Promise<RetentionChange> {
  const willDelete = await countResponsesOlderThan(db, actor.organisationId, surveyId, days, now)
  if (willDelete === null) return { status: 'not_found' }
  if (willDelete !== confirmedCount) return { status: 'count_changed', willDelete }
  const from = await setRetentionDays(db, actor.organisationId, surveyId, days)
  if (from === null) return { status: 'not_found' }
  await writeAudit(db, {
    organisationId: actor.organisationId,
    userId: actor.userId,
    action: 'retention.changed',
    targetType: 'survey',
    targetId: surveyId,
    details: { from, to: days, responsesDueForPurge: willDelete },
  })
  return { status: 'changed', from, to: days, willDelete }
}
