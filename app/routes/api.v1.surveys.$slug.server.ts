import { findPublishedSurveyBySlug, surveyAvailability } from '#db/queries/surveys.ts'
import { getDb } from '#app/utils/db.server.ts'
import { parseMetadata } from '#app/services/survey-definition.server.ts'
import { submissionSchema, MAX_SUBMISSION_BYTES } from '#app/services/submission-schema.ts'
import { submitResponse } from '#app/services/submit-response.server.ts'
import { isDatabaseUnavailable } from '#db/client.ts'
import { logError } from '#app/utils/logger.server.ts'
import { checkResumeLimits, checkSubmissionLimits } from '#app/utils/submission-limits.server.ts'
import { resumeSaveSchema, saveDraft } from '#app/services/resume.server.ts'
import { parseJsonStrict, readBodyBytesCapped } from '#app/services/request-body.server.ts'
import { acceptLanguageLang, langInUrl } from '#app/services/respondent-lang.server.ts'
import { langOf, type Lang } from '#app/i18n/catalogue.ts'
import { validationText } from '#app/i18n/validation.ts'

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }

export function jsonResponse(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } })
}

function unavailable(): Response {
  return jsonResponse(
    {
      error: 'unavailable',
      message: 'The service is briefly unavailable. Retry shortly; nothing was stored.',
    },
    503,
    { 'Retry-After': '5' },
  )
}

export async function getPublicSurvey(slug: string): Promise<Response> {
  try {
    const published = await findPublishedSurveyBySlug(await getDb(), slug)
    if (!published)
      return jsonResponse({ error: 'not_found', message: 'No published survey has this address.' }, 404)
    if (surveyAvailability(published.survey) !== 'open')
      return jsonResponse({ error: 'closed', message: 'This survey is closed.' }, 410)
    const metadata = parseMetadata(published.version.metadata)
    return jsonResponse(
      {
        slug,
        title: published.survey.title,
        version: published.version.version,
        publishedAt: published.version.publishedAt.toISOString(),
        locales: metadata.locales,
        definition: published.version.definition,
        segments: metadata.urlSegments.map((s) => ({
          param: s.param,
          label: s.label,
          values: s.values.map((v) => v.value),
        })),
      },
      200,
    )
  } catch (error) {
    if (isDatabaseUnavailable(error)) return unavailable()
    throw error
  }
}

/** The body as strict JSON (app/services/request-body.server.ts), or the 4xx that refuses it. */
async function readJsonBody(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const bytes = await readBodyBytesCapped(request, MAX_SUBMISSION_BYTES)
  if (bytes === null)
    return { ok: false, response: jsonResponse({ error: 'too_large', message: `The body is over ${MAX_SUBMISSION_BYTES} bytes.` }, 413) }
  const parsed = parseJsonStrict(bytes)
  if (parsed.ok) return parsed
  const { error, message, problems } = parsed
  return { ok: false, response: jsonResponse(problems ? { error, message, problems } : { error, message }, parsed.status) }
}

/** POST /api/v1/surveys/:slug/resume — save partial answers for save-and-resume; answers {token, writeKey, expiresAt}
 * (app/services/resume.server.ts: only a server-made write key saves into an existing draft). */
export async function postResumeDraft(request: Request, slug: string, clientKey?: string): Promise<Response> {
  if (request.method !== 'POST')
    return jsonResponse({ error: 'method_not_allowed', message: 'Use POST.' }, 405, { Allow: 'POST' })
  const wait = checkResumeLimits(slug, clientKey)
  if (wait > 0)
    return jsonResponse({ error: 'rate_limited', message: 'Too many saves just now.' }, 429, {
      'Retry-After': String(wait),
    })
  const read = await readJsonBody(request)
  if (!read.ok) return read.response
  const body = read.value
  const parsed = resumeSaveSchema.safeParse(body)
  if (!parsed.success)
    return jsonResponse(
      {
        error: 'bad_request',
        message: 'The body must be {"clientId", "answers", "segments", "currentPage", "token"?, "writeKey"?}.',
      },
      400,
    )
  try {
    const outcome = await saveDraft(slug, parsed.data)
    if (outcome.kind === 'not_found')
      return jsonResponse({ error: 'not_found', message: 'No published survey has this address.' }, 404)
    if (outcome.kind === 'closed')
      return jsonResponse({ error: 'closed', message: 'This survey is closed.' }, 410)
    // token: the resume link's secret (read only); writeKey: keep it in the page to save into the same draft.
    return jsonResponse({ token: outcome.token, writeKey: outcome.writeKey, expiresAt: outcome.expiresAt.toISOString() }, 200)
  } catch (error) {
    if (isDatabaseUnavailable(error)) return unavailable()
    logError('api.resume_failed', error)
    return jsonResponse({ error: 'server_error', message: 'The answers could not be saved.' }, 500)
  }
}

/**
 * The language of the answers' validation messages: `?lang=cy` or `?lang=en`, else Welsh when Accept-Language
 * ranks `cy` above English, else English (no cookie: API clients choose per request).
 */
function apiLang(request: Request): Lang {
  return langInUrl(request) ?? langOf(acceptLanguageLang(request.headers.get('Accept-Language')))
}

/** POST /api/v1/surveys/:slug/responses — see docs/api.md for every status. */
export async function postResponse(request: Request, slug: string, clientKey?: string): Promise<Response> {
  if (request.method !== 'POST')
    return jsonResponse({ error: 'method_not_allowed', message: 'Use POST.' }, 405, { Allow: 'POST' })
  const declared = Number(request.headers.get('Content-Length') ?? '0')
  if (declared > MAX_SUBMISSION_BYTES)
    return jsonResponse(
      { error: 'too_large', message: `The body is over ${MAX_SUBMISSION_BYTES} bytes.` },
      413,
    )
  const wait = checkSubmissionLimits(slug, clientKey)
  if (wait > 0) {
    return jsonResponse(
      {
        error: 'rate_limited',
        message: 'Too many submissions just now. Retry after the time in Retry-After; nothing was stored.',
      },
      429,
      { 'Retry-After': String(wait) },
    )
  }
  const read = await readJsonBody(request)
  if (!read.ok) return read.response
  const body = read.value
  const parsed = submissionSchema.safeParse(body)
  if (!parsed.success) {
    return jsonResponse(
      {
        error: 'bad_request',
        message: 'The body must be {"id": "<uuid>", "answers": {...}, "segments": {...}}.',
        problems: parsed.error.issues.map((i) => ({
          question: i.path.join('.') || 'body',
          message: i.message,
        })),
      },
      400,
    )
  }
  try {
    const lang = apiLang(request)
    const outcome = await submitResponse(slug, parsed.data, 'api', { lang })
    switch (outcome.kind) {
      case 'created':
        return jsonResponse({ receipt: outcome.receipt }, 201)
      case 'replayed':
        return jsonResponse({ receipt: outcome.receipt, replayed: true }, 200)
      case 'conflict':
        return jsonResponse(
          { error: 'conflict', message: 'This id was already used with different answers.' },
          409,
        )
      case 'invitation_invalid':
        return jsonResponse(
          {
            error: 'invitation_used',
            message: 'This invitation has already been used or does not belong to this survey.',
          },
          409,
        )
      case 'invalid':
        return jsonResponse(
          { error: 'invalid_answers', message: validationText[lang].invalidAnswers, problems: outcome.problems },
          422,
          { 'Content-Language': lang, Vary: 'Accept-Language' },
        )
      case 'not_found':
        return jsonResponse({ error: 'not_found', message: 'No published survey has this address.' }, 404)
      case 'closed':
        return jsonResponse({ error: 'closed', message: 'This survey is closed.' }, 410)
    }
  } catch (error) {
    if (isDatabaseUnavailable(error)) return unavailable()
    logError('api.response_failed', error)
    return jsonResponse(
      { error: 'server_error', message: 'The response could not be stored. Retry with the same id.' },
      500,
    )
  }
}
