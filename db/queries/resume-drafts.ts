import { sql } from 'drizzle-orm'
import type { Database } from '../client.ts'
import { rowsOf } from '../client.ts'
import type { ResumeDraft } from './responses.ts'

/*
 * Save-and-resume drafts (table resume_tokens). The caller passes only hashes: the link token and the write
 * key never reach the database (app/services/resume.server.ts makes them). Every statement is scoped by survey,
 * and the survey's organisation is stored on the row.
 */

/** Store a new draft under a server-made token hash. */
export async function createResumeDraft(
  db: Database,
  input: { organisationId: string; surveyId: string; tokenHash: string; draft: ResumeDraft; expiresAt: Date },
): Promise<void> {
  await db.execute(sql`
    insert into resume_tokens (organisation_id, survey_id, token_hash, data, expires_at)
    values (${input.organisationId}, ${input.surveyId}, ${input.tokenHash}, ${JSON.stringify(input.draft)}::jsonb, ${input.expiresAt.toISOString()}::timestamptz)`)
}

/**
 * Replace the answers of a live draft of this survey. Returns false when no live draft has this token hash
 * (unknown, expired, or another survey's): the caller then makes a new draft, never a row under a hash it was given.
 */
export async function updateResumeDraft(
  db: Database,
  input: { organisationId: string; surveyId: string; tokenHash: string; draft: ResumeDraft; expiresAt: Date; now?: Date },
): Promise<boolean> {
  const now = (input.now ?? new Date()).toISOString()
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      update resume_tokens set data = ${JSON.stringify(input.draft)}::jsonb, expires_at = ${input.expiresAt.toISOString()}::timestamptz
      where token_hash = ${input.tokenHash} and survey_id = ${input.surveyId} and organisation_id = ${input.organisationId}
        and expires_at > ${now}::timestamptz
      returning id`),
  )
  return rows.length > 0
}

/** The live draft of this survey behind a token hash, or null (unknown, expired or another survey's). */
export async function findResumeDraft(db: Database, surveyId: string, tokenHash: string, now = new Date()): Promise<ResumeDraft | null> {
  const rows = rowsOf<{ data: ResumeDraft }>(
    await db.execute(sql`
      select data from resume_tokens
      where token_hash = ${tokenHash} and survey_id = ${surveyId} and expires_at > ${now.toISOString()}::timestamptz
      limit 1`),
  )
  return rows[0]?.data ?? null
}

/** Delete the draft of this survey behind a token hash (it was finished, or moved to a new link). */
export async function removeResumeDraft(db: Database, surveyId: string, tokenHash: string): Promise<void> {
  await db.execute(sql`delete from resume_tokens where token_hash = ${tokenHash} and survey_id = ${surveyId}`)
}
