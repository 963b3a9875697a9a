import { findPublishedSurveyBySlug, surveyAvailability } from '#db/queries/surveys.ts'
import { payloadHash, storeResponse, type ResponseSource } from '#db/queries/responses.ts'
import { findInvitationResponse } from '#db/queries/invitations.ts'
import { getDb } from '#app/utils/db.server.ts'
import { hashToken } from '#app/utils/auth.server.ts'
import { log } from '#app/utils/logger.server.ts'
import { describeSurvey, parseMetadata } from './survey-definition.server.ts'
import { validateAnswers, type AnswerProblem, type ValidateOptions } from './validate-answers.server.ts'
import type { Submission } from './submission-schema.ts'
import { finishDraft } from './resume.server.ts'
import { cachedRespondentForm, questionTitles } from './respondent-form.server.ts'

export type SubmitOutcome =
  | { kind: 'created' | 'replayed'; receipt: string }
  | { kind: 'conflict' }
  | { kind: 'invalid'; problems: AnswerProblem[] }
  | { kind: 'invitation_invalid' }
  | { kind: 'not_found' }
  | { kind: 'closed' }

/**
 * The one path by which a response is stored, for the page (with and without JavaScript) and the API:
 * find the published version, validate against its definition, store in one transaction. It resolves only
 * after COMMIT, so whatever the caller acknowledges is durable.
 */
export async function submitResponse(
  slug: string,
  submission: Submission,
  source: ResponseSource,
  /** The language of any problems, and the question titles in it (the respondent page's; English by default). */
  messages: Pick<ValidateOptions, 'lang' | 'titles'> = {},
): Promise<SubmitOutcome> {
  const db = await getDb()
  const published = await findPublishedSurveyBySlug(db, slug)
  if (!published) return { kind: 'not_found' }
  if (surveyAvailability(published.survey) !== 'open') return { kind: 'closed' }
  const descriptor = describeSurvey(published.version.definition, published.version.id)
  const metadata = parseMetadata(published.version.metadata, published.version.id)
  // Welsh messages name the questions by their Welsh titles (the API's `?lang=cy`; the page passes its own).
  const titles =
    messages.titles ?? (messages.lang && messages.lang !== 'en' ? questionTitles(cachedRespondentForm(published.version.id, descriptor, messages.lang)) : undefined)
  const result = validateAnswers(descriptor, metadata, submission.answers, submission.segments, { ...messages, titles })
  if (!result.ok) return { kind: 'invalid', problems: result.problems }
  const stored = await storeResponse(db, {
    organisationId: published.survey.organisationId,
    surveyId: published.survey.id,
    surveyVersionId: published.version.id,
    clientId: submission.id,
    wave: published.survey.wave,
    answers: result.answers,
    segments: result.segments,
    source: submission.invitation ? 'invitation' : source,
    invitationTokenHash: submission.invitation ? hashToken(submission.invitation) : undefined,
  })
  if (stored.status === 'conflict') return { kind: 'conflict' }
  if (stored.status === 'invitation_invalid') {
    // The same submission sent twice at once: the other copy used the invitation. Same key and answers is a
    // replay with the original receipt; anything else is a second use (issue 12, finding 7).
    const used = submission.invitation
      ? await findInvitationResponse(db, published.survey.organisationId, published.survey.id, hashToken(submission.invitation))
      : null
    if (used?.clientId === submission.id) {
      return used.payloadHash === payloadHash(result.answers, result.segments) ? { kind: 'replayed', receipt: used.receipt } : { kind: 'conflict' }
    }
    return { kind: 'invitation_invalid' }
  }
  if (stored.status === 'created') {
    log('info', { event: 'response.created', surveyId: published.survey.id, responseId: stored.responseId })
  }
  // The response is committed; its draft has served its purpose. A failure here only leaves the draft to expire.
  if (submission.resume) await finishDraft(published.survey.id, submission.resume).catch(() => undefined)
  return { kind: stored.status, receipt: stored.receipt }
}
