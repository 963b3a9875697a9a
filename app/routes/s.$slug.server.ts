import { randomUUID } from 'node:crypto'
import { data, redirect } from '@remix-run/node'
import { findPublishedSurveyBySlug, surveyAvailability } from '#db/queries/surveys.ts'
import { invitationState, type InvitationState } from '#db/queries/invitations.ts'
import { getDb } from '#app/utils/db.server.ts'
import { describeSurvey, parseMetadata } from '#app/services/survey-definition.server.ts'
import {
  answersFromForm,
  cachedRespondentForm,
  definitionText,
  questionTitles,
  segmentsFromUrl,
} from '#app/services/respondent-form.server.ts'
import {
  answersAsFormValues,
  neighbourPage,
  pageOfQuestion,
  pageView,
  questionValues,
  type FormStep,
  type FormValues,
  type PageContext,
} from '#app/services/respondent-pages.server.ts'
import { validateAnswers } from '#app/services/validate-answers.server.ts'
import { submitResponse } from '#app/services/submit-response.server.ts'
import { langOf, type Lang } from '#app/i18n/catalogue.ts'
import { respondentText } from '#app/i18n/respondent.ts'
import { findDraft, saveDraft } from '#app/services/resume.server.ts'
import { publicOrigin } from '#app/services/survey-links.server.ts'
import { checkResumeLimits, checkSubmissionLimits } from '#app/utils/submission-limits.server.ts'
import { isDatabaseUnavailable } from '#db/client.ts'
import { readFormStrict } from '#app/services/request-body.server.ts'
import { remembered } from '#app/services/respondent-lang.server.ts'
import { z } from 'zod'

export const HONEYPOT_FIELD = 'website'

/** A plain form of ours is a few KiB; the server's public body limit (server/body-limit.ts) is 128 KiB. */
const MAX_FORM_BYTES = 128 * 1024

/** The page's idempotency key: a real UUID, as the API requires (36 hex digits or dashes reached the database). */
const isClientId = (value: string) => z.uuid().safeParse(value).success

/** A database outage becomes 503 with Retry-After (the error page says nothing was lost), never a crash. */
async function orUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (isDatabaseUnavailable(error)) {
      throw new Response('The service is briefly unavailable. Please try again in a minute.', {
        status: 503,
        headers: { 'Retry-After': '5', 'Cache-Control': 'no-store' },
      })
    }
    throw error
  }
}

/**
 * 404 and 410 from the respondent page are never cached: a survey that reopens must show as open in the same
 * tab (issue 13). The route's `headers` export passes these headers on (Remix's errorHeaders).
 */
export function notAvailable(status: 404 | 410, message: string): Response {
  return new Response(message, { status, headers: { 'Cache-Control': 'no-store', 'Content-Type': 'text/plain; charset=utf-8' } })
}

async function loadOpenSurvey(slug: string) {
  const published = await orUnavailable(async () => findPublishedSurveyBySlug(await getDb(), slug))
  if (!published) throw notAvailable(404, 'We could not find that survey.')
  const availability = surveyAvailability(published.survey)
  if (availability === 'closed') throw notAvailable(410, 'This survey is closed.')
  if (availability === 'not_yet_open') throw notAvailable(404, 'This survey is not open yet.')
  return published
}

type Published = Awaited<ReturnType<typeof loadOpenSurvey>>

/** The survey as the page shows it in one language: its questions, parts and metadata (cached per version). */
function surveyInLanguage(published: Published, lang: Lang) {
  const metadata = parseMetadata(published.version.metadata, published.version.id)
  const descriptor = describeSurvey(published.version.definition, published.version.id)
  const form = cachedRespondentForm(published.version.id, descriptor, lang)
  return { metadata, descriptor, form, titles: questionTitles(form) }
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
  const locales = metadata.locales
  // The address, a resumed draft, then the language chosen before or the browser's (app/services/respondent-lang.server.ts).
  const requested = url.searchParams.get('lang') ?? draft?.lang ?? remembered(request)
  const lang = langOf(requested && (locales as string[]).includes(requested) ? requested : 'en')
  const { descriptor, form } = surveyInLanguage(published, lang)
  const invitation = url.searchParams.get('invitation')
  // Say so before anyone spends time answering: a used or unknown invitation cannot be sent.
  const invitationStatus: InvitationState | 'none' =
    invitation === null
      ? 'none'
      : invitation.length < 16 || invitation.length > 200
        ? 'unknown'
        : await invitationState(await getDb(), published.survey.id, invitation)
  const segments = draft ? { ...draft.segments, ...segmentsFromUrl(url, metadata) } : segmentsFromUrl(url, metadata)
  const values: FormValues = answersAsFormValues(draft?.answers ?? null)
  const view = pageView({ form, descriptor, metadata, segments }, values, draft?.currentPage ?? 0)
  return {
    slug,
    lang,
    locales,
    // A resumed draft keeps its idempotency key, so finishing on another device still makes one response.
    clientId: draft?.clientId ?? randomUUID(),
    segments,
    resume: draft ? resume : null,
    /** The resumed draft's answers and part, as stored (null for a fresh page). */
    initialAnswers: draft?.answers ?? null,
    initialPage: view.page,
    form,
    step: { view, values, problems: [] } satisfies FormStep as FormStep,
    invitation: invitationStatus === 'unused' ? invitation : null,
    invitationState: invitationStatus,
    organisationName: published.organisationName,
    retentionDays: published.survey.retentionDays,
    privacyNotice: privacyNoticeText(published.version.definition, lang),
  }
}

/** The survey's own privacy notice (set in the builder, stored as plain text), in the page's language. */
function privacyNoticeText(definition: unknown, lang: string): string | null {
  const text = definitionText(definition, 'privacyNotice', lang)
  if (text === null) return null
  // Stored as text by the builder; strip any tags that an imported definition might carry.
  const plain = text.replace(/<[^>]*>/g, '').trim()
  return plain === '' ? null : plain
}

function tooMany(wait: number): Response {
  return new Response('You have sent a lot of answers in a short time. Please wait a minute and try again.', {
    status: 429,
    headers: { 'Retry-After': String(wait), 'Content-Type': 'text/plain; charset=utf-8' },
  })
}


/** The step the page shows next (the answer to Next, Previous, Save and refused sends). */
type StepResult = FormStep & { clientId: string }

/** The page's script asks which questions of this part to hide as answers change (the server decides). */
export interface VisibilityResult {
  visibility: { page: number; hidden: string[]; last: boolean; count: number; position: number }
}

/** Every post of the respondent form: Next, Previous, Save and come back later, Send, and the visibility check. */
export async function handleFormSubmission(request: Request, slug: string, clientKey?: string) {
  return orUnavailable(() => handleFormSubmissionUnguarded(request, slug, clientKey))
}

async function handleFormSubmissionUnguarded(request: Request, slug: string, clientKey?: string) {
  const published = await loadOpenSurvey(slug)
  const read = await readFormStrict(request, MAX_FORM_BYTES)
  if (!read.ok) throw new Response(read.message, { status: read.status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
  const formData = new FormData()
  for (const [name, value] of read.fields) formData.append(name, value)
  const intent = formData.get('intent')
  // The language switch is a button of the form (app/components/respondent-form.tsx): `lang-cy` or `lang-en`.
  const switchTo = intent === 'lang-cy' || intent === 'lang-en' ? langOf(intent.slice('lang-'.length)) : null
  const offered = parseMetadata(published.version.metadata, published.version.id).locales as string[]
  const lang = switchTo && offered.includes(switchTo) ? switchTo : langOf(formData.get('lang'))
  const t = respondentText[lang]
  // Bots fill every field they see; people never see this one. Pretend success and store nothing.
  const honeypot = formData.get(HONEYPOT_FIELD)
  if (typeof honeypot === 'string' && honeypot.trim() !== '') {
    return redirect(`/s/${encodeURIComponent(slug)}/thanks`)
  }
  const { descriptor, metadata, form, titles } = surveyInLanguage(published, lang)
  const segments: Record<string, string> = Object.create(null)
  for (const [key, value] of formData.entries()) {
    if (key.startsWith('segment.') && typeof value === 'string') segments[key.slice('segment.'.length)] = value
  }
  const ctx: PageContext = { form, descriptor, metadata, segments }
  const values = questionValues(descriptor, formData.entries())
  const answers = answersFromForm(formData, descriptor)
  const clientId = String(formData.get('clientId') ?? '')
  const pageNumber = Number(formData.get('page'))
  const page = Number.isInteger(pageNumber) ? Math.min(Math.max(pageNumber, 0), Math.max(form.pages.length - 1, 0)) : 0
  const resume = formData.get('resume')
  const resumeToken = typeof resume === 'string' && resume.length >= 20 && resume.length <= 100 ? resume : undefined
  const resumeKey = formData.get('resumeKey')
  const writeKey = typeof resumeKey === 'string' && resumeKey.length <= 100 ? resumeKey : undefined
  const step = (at: number, problems: FormStep['problems'] = []): StepResult => ({
    view: pageView(ctx, values, at),
    values,
    problems,
    clientId,
    ...(resumeToken ? { resumeCarry: { token: resumeToken, ...(writeKey ? { writeKey } : {}) } } : {}),
  })

  if (intent === 'visibility') {
    const view = pageView(ctx, values, page)
    return data<VisibilityResult>({
      visibility: { page: view.page, hidden: view.hidden, last: view.last, count: view.count, position: view.position },
    })
  }
  if (!isClientId(clientId)) {
    return data<StepResult>(step(page, [{ question: 'form', message: t.formExpired }]), { status: 400 })
  }
  // Another language: keep every answer posted, check nothing, and show the same part in that language.
  if (switchTo) return data<StepResult>({ ...step(page), languageSwitched: true })
  // The page's script reopens the part the respondent had reached (answers kept on the device): show it if it
  // is visible for these answers, else the next that is. Nothing is checked; Next and Send check.
  if (intent === 'open') return data<StepResult>(step(page))
  if (intent === 'previous') return data<StepResult>(step(neighbourPage(ctx, values, page, -1) ?? page))

  if (intent === 'save') {
    const wait = checkResumeLimits(slug, clientKey)
    if (wait > 0) throw tooMany(wait)
    const saved = await saveDraft(slug, {
      token: resumeToken,
      writeKey,
      clientId,
      answers,
      segments,
      lang,
      currentPage: page,
    })
    if (saved.kind !== 'saved') throw notAvailable(410, 'This survey is closed.')
    const resumeUrl = `${publicOrigin(request)}/s/${encodeURIComponent(slug)}?resume=${saved.token}${lang === 'cy' ? '&lang=cy' : ''}`
    return data<StepResult>({
      ...step(page),
      saved: { url: resumeUrl, token: saved.token, writeKey: saved.writeKey, expiresAt: saved.expiresAt.toISOString() },
    })
  }

  // Next (or Send on the last part): check this part's visible questions, then move on or send.
  const view = pageView(ctx, values, page)
  const asked = new Set(view.asked)
  const checked = validateAnswers(descriptor, metadata, answers, segments, { lang, titles })
  const here = checked.ok ? [] : checked.problems.filter((p) => asked.has(p.question))
  if (here.length > 0) return data<StepResult>(step(view.page, here), { status: 422 })
  const next = neighbourPage(ctx, values, view.page, 1)
  if (next !== null) return data<StepResult>(step(next))

  const wait = checkSubmissionLimits(slug, clientKey)
  if (wait > 0) throw tooMany(wait)
  const invitation = formData.get('invitation')
  const outcome = await submitResponse(
    slug,
    { id: clientId, answers, segments, invitation: typeof invitation === 'string' && invitation ? invitation : undefined, resume: resumeToken },
    formData.get('via') === 'web' ? 'web' : 'nojs',
    { lang, titles },
  )
  switch (outcome.kind) {
    case 'created':
    case 'replayed':
      return redirect(
        `/s/${encodeURIComponent(slug)}/thanks?receipt=${encodeURIComponent(outcome.receipt)}&lang=${lang}`,
      )
    case 'invalid': {
      // Open the part that holds the first problem (a blank response stays on this part).
      const first = outcome.problems.map((p) => pageOfQuestion(form, p.question)).find((i) => i !== null)
      return data<StepResult>(step(first ?? view.page, outcome.problems), { status: 422 })
    }
    case 'conflict':
      return data<StepResult>(step(view.page, [{ question: 'form', message: t.conflict }]), { status: 409 })
    case 'invitation_invalid':
      return data<StepResult>(step(view.page, [{ question: 'form', message: t.invitationRefused }]), { status: 409 })
    case 'not_found':
      throw notAvailable(404, 'We could not find that survey.')
    case 'closed':
      throw notAvailable(410, 'This survey is closed.')
  }
}
