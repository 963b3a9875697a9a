import { createHash, randomBytes } from 'node:crypto'
import { z } from 'zod'
import { findPublishedSurveyBySlug, surveyAvailability } from '#db/queries/surveys.ts'
import { deleteResumeDraft, loadResumeDraft, saveResumeDraft, type ResumeDraft } from '#db/queries/responses.ts'
import { getDb } from '#app/utils/db.server.ts'
import { describeSurvey, parseMetadata } from './survey-definition.server.ts'
import { validateAnswers } from './validate-answers.server.ts'

/**
 * Save and resume for long surveys: partial answers are kept against a random token for 30 days; the
 * respondent keeps the link. Only the token's SHA-256 is stored, so the database cannot rebuild links. The
 * draft carries the page's idempotency key, so finishing from another device still makes one response.
 */

export const RESUME_DAYS = 30

export const resumeSaveSchema = z.object({
  token: z.string().min(20).max(100).optional(),
  clientId: z.uuid(),
  answers: z.record(z.string().max(100), z.unknown()),
  segments: z.record(z.string().max(100), z.unknown()).optional().default({}),
  lang: z.enum(['en', 'cy']).optional().default('en'),
  currentPage: z.number().int().min(0).max(200).optional().default(0),
})
export type ResumeSave = z.infer<typeof resumeSaveSchema>

export function hashResumeToken(token: string): string {
  return createHash('sha256').update(`resume:${token}`).digest('hex')
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

export type SaveOutcome = { kind: 'saved'; token: string; expiresAt: Date } | { kind: 'not_found' } | { kind: 'closed' }

export async function saveDraft(slug: string, input: ResumeSave): Promise<SaveOutcome> {
  const db = await getDb()
  const published = await findPublishedSurveyBySlug(db, slug)
  if (!published) return { kind: 'not_found' }
  if (surveyAvailability(published.survey) !== 'open') return { kind: 'closed' }
  const kept = keepValid(published.version.definition, published.version.id, published.version.metadata, input.answers, input.segments)
  const token = input.token ?? randomBytes(20).toString('base64url')
  const expiresAt = new Date(Date.now() + RESUME_DAYS * 86_400_000)
  const draft: ResumeDraft = { answers: kept.answers, segments: kept.segments, clientId: input.clientId, lang: input.lang, currentPage: input.currentPage }
  await saveResumeDraft(db, { organisationId: published.survey.organisationId, surveyId: published.survey.id, tokenHash: hashResumeToken(token), draft, expiresAt })
  return { kind: 'saved', token, expiresAt }
}

export async function findDraft(surveyId: string, token: string | null): Promise<ResumeDraft | null> {
  if (!token || token.length < 20 || token.length > 100) return null
  return loadResumeDraft(await getDb(), surveyId, hashResumeToken(token))
}

export async function finishDraft(surveyId: string, token: string | undefined): Promise<void> {
  if (!token || token.length < 20 || token.length > 100) return
  await deleteResumeDraft(await getDb(), surveyId, hashResumeToken(token))
}
