import { randomUUID } from 'node:crypto'
import { data, redirect } from '@remix-run/node'
import { findPublishedSurveyBySlug, surveyAvailability } from '#db/queries/surveys.ts'
import { invitationState, type InvitationState } from '#db/queries/invitations.ts'
import { getDb } from '#app/utils/db.server.ts'
import { sanitizeDefinition } from '#app/utils/sanitize-html.server.ts'
import { describeSurvey, parseMetadata } from '#app/services/survey-definition.server.ts'
import {
  answersFromForm,
  buildRespondentForm,
  segmentsFromUrl,
} from '#app/services/respondent-form.server.ts'
import { submitResponse } from '#app/services/submit-response.server.ts'
import type { AnswerProblem } from '#app/services/validate-answers.server.ts'
import { findDraft, saveDraft } from '#app/services/resume.server.ts'
import { publicOrigin } from '#app/services/survey-links.server.ts'
import { checkResumeLimits, checkSubmissionLimits } from '#app/utils/submission-limits.server.ts'
import { isDatabaseUnavailable } from '#db/client.ts'

export const HONEYPOT_FIELD = 'website'

/** A database outage becomes 503 with Retry-After (the error page says nothing was lost), never a crash. */
async function orUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (isDatabaseUnavailable(error)) {
      throw new Response('The service is briefly unavailable. Please try again in a minute.', {
        status: 503,
        headers: { 'Retry-After': '5' },
      })
    }
    throw error
  }
}

async function loadOpenSurvey(slug: string) {
  const published = await orUnavailable(async () => findPublishedSurveyBySlug(await getDb(), slug))
  if (!published) throw new Response('We could not find that survey.', { status: 404 })
  const availability = surveyAvailability(published.survey)
  if (availability === 'closed') throw new Response('This survey is closed.', { status: 410 })
  if (availability === 'not_yet_open') throw new Response('This survey is not open yet.', { status: 404 })
  return published
}

export async function loadRespondentPage(request: Request, slug: string) {
  return orUnavailable(() => loadRespondentPageUnguarded(request, slug))
}

async function loadRespondentPageUnguarded(request: Request, slug: string) {
  const published = await loadOpenSurvey(slug)
  const url = new URL(request.url)
  const resume = url.searchParams.get('resume')
  const draft = await findDraft(published.survey.id, resume)
  const metadata = parseMetadata(published.version.metadata, published.version.id)
  const descriptor = describeSurvey(published.version.definition, published.version.id)
  const locales = metadata.locales
  const requested = url.searchParams.get('lang') ?? draft?.lang ?? null
  const lang = requested && (locales as string[]).includes(requested) ? requested : 'en'
  const invitation = url.searchParams.get('invitation')
  // Say so before anyone spends time answering: a used or unknown invitation cannot be sent.
  const invitationStatus: InvitationState | 'none' =
    invitation === null
      ? 'none'
      : invitation.length < 16 || invitation.length > 200
        ? 'unknown'
        : await invitationState(await getDb(), published.survey.id, invitation)
  return {
    slug,
    lang,
    locales,
    // A resumed draft keeps its idempotency key, so finishing on another device still makes one response.
    clientId: draft?.clientId ?? randomUUID(),
    segments: draft
      ? { ...draft.segments, ...segmentsFromUrl(url, metadata) }
      : segmentsFromUrl(url, metadata),
    resume: draft ? resume : null,
    initialAnswers: draft?.answers ?? null,
    initialPage: draft?.currentPage ?? 0,
    form: buildRespondentForm(descriptor, lang),
    // SurveyJS renders completedHtml and html questions unsanitised: clean the definition at render too.
    definition: sanitizeDefinition(published.version.definition) as Record<string, unknown>,
    invitation: invitationStatus === 'unused' ? invitation : null,
    invitationState: invitationStatus,
    organisationName: published.organisationName,
    retentionDays: published.survey.retentionDays,
    privacyNotice: privacyNoticeText(published.version.definition, lang),
  }
}

/** The survey's own privacy notice (set in the builder, stored as plain text), in the page's language. */
function privacyNoticeText(definition: unknown, lang: string): string | null {
  const value = (definition as { privacyNotice?: unknown } | null)?.privacyNotice
  const text =
    typeof value === 'string'
      ? value
      : value && typeof value === 'object'
        ? ((value as Record<string, unknown>)[lang] ?? (value as Record<string, unknown>).default)
        : null
  if (typeof text !== 'string') return null
  // Stored as text by the builder; strip any tags that an imported definition might carry.
  const plain = text.replace(/<[^>]*>/g, '').trim()
  return plain === '' ? null : plain
}

export interface FormActionResult {
  problems: AnswerProblem[]
  values: Record<string, string[]>
  /** Set after "save and come back later": the link that brings these answers back. */
  saved?: { url: string; expiresAt: string }
}

function tooMany(wait: number): Response {
  return new Response('You have sent a lot of answers in a short time. Please wait a minute and try again.', {
    status: 429,
    headers: { 'Retry-After': String(wait), 'Content-Type': 'text/plain; charset=utf-8' },
  })
}

/** The no-JavaScript path: a plain form post, validated and stored exactly like the API. */
export async function handleFormSubmission(request: Request, slug: string, clientKey?: string) {
  return orUnavailable(() => handleFormSubmissionUnguarded(request, slug, clientKey))
}

async function handleFormSubmissionUnguarded(request: Request, slug: string, clientKey?: string) {
  const published = await loadOpenSurvey(slug)
  const formData = await request.formData()
  const lang = formData.get('lang') === 'cy' ? 'cy' : 'en'
  // Bots fill every field they see; people never see this one. Pretend success and store nothing.
  const honeypot = formData.get(HONEYPOT_FIELD)
  if (typeof honeypot === 'string' && honeypot.trim() !== '') {
    return redirect(`/s/${encodeURIComponent(slug)}/thanks`)
  }
  const descriptor = describeSurvey(published.version.definition, published.version.id)
  const answers = answersFromForm(formData, descriptor)
  const segments: Record<string, string> = {}
  for (const [key, value] of formData.entries()) {
    if (key.startsWith('segment.') && typeof value === 'string')
      segments[key.slice('segment.'.length)] = value
  }
  const clientId = String(formData.get('clientId') ?? '')
  const invitation = formData.get('invitation')
  const values: Record<string, string[]> = {}
  for (const [key, value] of formData.entries())
    if (typeof value === 'string') (values[key] ??= []).push(value)

  const resume = formData.get('resume')
  const resumeToken =
    typeof resume === 'string' && resume.length >= 20 && resume.length <= 100 ? resume : undefined
  if (formData.get('intent') === 'save' && /^[0-9a-f-]{36}$/i.test(clientId)) {
    const wait = checkResumeLimits(slug, clientKey)
    if (wait > 0) throw tooMany(wait)
    const saved = await saveDraft(slug, {
      token: resumeToken,
      clientId,
      answers,
      segments,
      lang,
      currentPage: 0,
    })
    if (saved.kind !== 'saved') throw new Response('This survey is closed.', { status: 410 })
    const resumeUrl = `${publicOrigin(request)}/s/${encodeURIComponent(slug)}?resume=${saved.token}${lang === 'cy' ? '&lang=cy' : ''}`
    return data<FormActionResult>(
      { problems: [], values, saved: { url: resumeUrl, expiresAt: saved.expiresAt.toISOString() } },
      { status: 200 },
    )
  }
  const wait = checkSubmissionLimits(slug, clientKey)
  if (wait > 0) throw tooMany(wait)
  if (!/^[0-9a-f-]{36}$/i.test(clientId)) {
    return data<FormActionResult>(
      {
        problems: [{ question: 'form', message: 'The form has expired. Reload the page and try again.' }],
        values,
      },
      { status: 400 },
    )
  }
  const outcome = await submitResponse(
    slug,
    {
      id: clientId,
      answers,
      segments,
      invitation: typeof invitation === 'string' && invitation ? invitation : undefined,
      resume: resumeToken,
    },
    'nojs',
  )
  switch (outcome.kind) {
    case 'created':
    case 'replayed':
      return redirect(
        `/s/${encodeURIComponent(slug)}/thanks?receipt=${encodeURIComponent(outcome.receipt)}${lang === 'cy' ? '&lang=cy' : ''}`,
      )
    case 'invalid':
      return data<FormActionResult>({ problems: outcome.problems, values }, { status: 422 })
    case 'conflict':
      return data<FormActionResult>(
        {
          problems: [
            {
              question: 'form',
              message:
                'These answers were already sent with different content. Reload the page to start a new response.',
            },
          ],
          values,
        },
        { status: 409 },
      )
    case 'invitation_invalid':
      return data<FormActionResult>(
        {
          problems: [
            {
              question: 'form',
              message:
                'This invitation link has already been used, or is not valid for this survey. Thank you — we only need one response per invitation.',
            },
          ],
          values,
        },
        { status: 409 },
      )
    case 'not_found':
      throw new Response('We could not find that survey.', { status: 404 })
    case 'closed':
      throw new Response('This survey is closed.', { status: 410 })
  }
}
