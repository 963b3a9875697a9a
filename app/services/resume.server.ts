import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import { findPublishedSurveyBySlug, surveyAvailability } from '#db/queries/surveys.ts'
import type { ResumeDraft } from '#db/queries/responses.ts'
import { createResumeDraft, findResumeDraft, removeResumeDraft, updateResumeDraft } from '#db/queries/resume-drafts.ts'
import { getDb } from '#app/utils/db.server.ts'
import { describeSurvey, parseMetadata } from './survey-definition.server.ts'
import { validateAnswers } from './validate-answers.server.ts'

/**
 * Save and resume for long surveys (issue 12, finding 3: a client-chosen token let an attacker mint a link,
 * send it to a respondent and read everything they typed as it autosaved).
 *
 * Two secrets, both made here, never by the client:
 *  - the **write key**: 256 random bits (base64url), given only to the page that saved the draft (in its
 *    memory, or a hidden field of the no-JavaScript form). Saving again with it replaces the draft.
 *  - the **link token**: SHA-256 of the write key (base64url, 43 characters), put in the resume link. It opens
 *    the draft for reading; it cannot be turned back into the write key, so it cannot write.
 * The database keeps only SHA-256 of the link token. A save without a valid write key always makes a new
 * draft under new secrets, so a token chosen by a client, or a link someone else made, opens nothing and
 * receives nothing: a page opened from a link saves into a fresh link of its own (and the draft it was opened
 * from is deleted, so the answers live in one place). Drafts expire {@link RESUME_DAYS} days after the last save.
 * The draft carries the page's idempotency key, so finishing from another device still makes one response.
 */

export const RESUME_DAYS = 7

/** A server-made secret: 32 bytes in base64url. Anything else is ignored, never looked up. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/

export const resumeSaveSchema = z.object({
  /** The link token the page was opened with (or was last given); read access only. */
  token: z.string().max(200).optional(),
  /** The write key the server gave this page with its last save. */
  writeKey: z.string().max(200).optional(),
  clientId: z.uuid(),
  answers: z.record(z.string().max(100), z.unknown()),
  segments: z.record(z.string().max(100), z.unknown()).optional().default({}),
  lang: z.enum(['en', 'cy']).optional().default('en'),
  currentPage: z.number().int().min(0).max(200).optional().default(0),
})
export type ResumeSave = z.infer<typeof resumeSaveSchema>

/** The link token that belongs to a write key. */
export function linkTokenFor(writeKey: string): string {
  return createHash('sha256').update(`resume-link:${writeKey}`).digest('base64url')
}

/** What the database stores for a link token. */
export function hashResumeToken(token: string): string {
  return createHash('sha256').update(`resume-v2:${token}`).digest('hex')
}

function wellFormed(secret: string | null | undefined): secret is string {
  return typeof secret === 'string' && SECRET_PATTERN.test(secret)
}

/** Keep only the answers that are valid on their own, so a half-typed number never blocks saving the rest. */
function keepValid(definition: unknown, versionId: string, metadataRaw: unknown, answers: Record<string, unknown>, segments: Record<string, unknown>) {
  const descriptor = describeSurvey(definition, versionId)
  const metadata = parseMetadata(metadataRaw)
  let current = Object.fromEntries(Object.entries(answers).filter(([name]) => descriptor.questions.has(name)))
  for (let attempt = 0; attempt < 3; attempt++) {
    const checked = validateAnswers(descriptor, metadata, current, segments, { enforceRequired: false })
    if (checked.ok) return { answers: checked.answers, segments: checked.segments }
    const bad = new Set(checked.problems.map((p) => p.question))
    if ([...bad].some((q) => q.startsWith('segments'))) segments = {}
    current = Object.fromEntries(Object.entries(current).filter(([name]) => !bad.has(name)))
  }
  return { answers: {}, segments: {} }
}

export type SaveOutcome =
  | { kind: 'saved'; token: string; writeKey: string; expiresAt: Date }
  | { kind: 'not_found' }
  | { kind: 'closed' }

export async function saveDraft(slug: string, input: ResumeSave): Promise<SaveOutcome> {
  const db = await getDb()
  const published = await findPublishedSurveyBySlug(db, slug)
  if (!published) return { kind: 'not_found' }
  if (surveyAvailability(published.survey) !== 'open') return { kind: 'closed' }
  const kept = keepValid(published.version.definition, published.version.id, published.version.metadata, input.answers, input.segments)
  const expiresAt = new Date(Date.now() + RESUME_DAYS * 86_400_000)
  const draft: ResumeDraft = { answers: kept.answers, segments: kept.segments, clientId: input.clientId, lang: input.lang, currentPage: input.currentPage }
  const scope = { organisationId: published.survey.organisationId, surveyId: published.survey.id, draft, expiresAt }
  if (wellFormed(input.writeKey)) {
    const token = linkTokenFor(input.writeKey)
    if (await updateResumeDraft(db, { ...scope, tokenHash: hashResumeToken(token) })) {
      return { kind: 'saved', token, writeKey: input.writeKey, expiresAt }
    }
  }
  const writeKey = randomBytes(32).toString('base64url')
  const token = linkTokenFor(writeKey)
  await createResumeDraft(db, { ...scope, tokenHash: hashResumeToken(token) })
  // The page was opened from a link it cannot write to: its answers now live under the new link only.
  if (wellFormed(input.token) && input.token !== token) await removeResumeDraft(db, published.survey.id, hashResumeToken(input.token))
  return { kind: 'saved', token, writeKey, expiresAt }
}

export async function findDraft(surveyId: string, token: string | null): Promise<ResumeDraft | null> {
  if (!wellFormed(token)) return null
  return findResumeDraft(await getDb(), surveyId, hashResumeToken(token))
}

export async function finishDraft(surveyId: string, token: string | undefined): Promise<void> {
  if (!wellFormed(token)) return
  await removeResumeDraft(await getDb(), surveyId, hashResumeToken(token))
}
