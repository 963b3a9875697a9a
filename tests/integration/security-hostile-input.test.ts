import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { rowsOf } from '#db/client.ts'
import { postResponse, postResumeDraft } from '#app/routes/api.v1.surveys.$slug.server.ts'
import { handleFormSubmission } from '#app/routes/s.$slug.server.ts'
import { resetSubmissionLimits } from '#app/utils/submission-limits.server.ts'
import { demoAnswers, demoDatabase } from '#tests/support/collect-fixtures.ts'
import type { TestDatabase } from '#tests/support/database.ts'

/*
 * Issue 12, finding 6: hostile input gave server errors (500) or passed quietly. Each input here must get a 4xx
 * and store nothing: no response row, no resume draft. `__proto__` keys inside answers are refused with 422
 * (they were dropped and a partial row stored); invalid UTF-8 gets 400 (it was stored as U+FFFD).
 */
let test: TestDatabase

beforeAll(async () => {
  ;({ test } = await demoDatabase(3))
})
beforeEach(() => {
  resetSubmissionLimits({ perClientPerMinute: 100_000, perSurveyPerSecond: 100_000 })
})
afterAll(async () => {
  await test.close()
})

async function stored(): Promise<{ responses: number; drafts: number }> {
  const [row] = rowsOf<{ responses: number; drafts: number }>(
    await test.db.execute(sql`select (select count(*)::int from responses) as responses, (select count(*)::int from resume_tokens) as drafts`),
  )
  return { responses: Number(row!.responses), drafts: Number(row!.drafts) }
}

/** The HTTP status of whatever the form action gave: a Response (returned or thrown) or Remix `data()`. */
async function formStatus(request: Request): Promise<number> {
  try {
    const result = (await handleFormSubmission(request, 'demo')) as unknown
    if (result instanceof Response) return result.status
    const init = (result as { init?: { status?: number } | null }).init
    return init?.status ?? 200
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status
    throw thrown
  }
}

const FORM_TYPE = { 'Content-Type': 'application/x-www-form-urlencoded' }
const formRequest = (body: BodyInit, headers: Record<string, string> = FORM_TYPE) => new Request('http://localhost/s/demo', { method: 'POST', body, headers })

function validFields(extra: Array<[string, string]> = []): URLSearchParams {
  // From the demo's last part (of four), where Next sends; earlier parts' answers ride along as hidden fields.
  const fields = new URLSearchParams({ clientId: crypto.randomUUID(), page: '3' })
  for (const [k, v] of Object.entries(demoAnswers())) fields.append(k, String(v))
  for (const [k, v] of extra) fields.append(k, v)
  return fields
}

/** Expect a 4xx and nothing stored. */
async function refusedWithoutStoring(run: () => Promise<number>, expected?: number): Promise<void> {
  const before = await stored()
  const status = await run()
  if (expected !== undefined) expect(status).toBe(expected)
  expect(status).toBeGreaterThanOrEqual(400)
  expect(status).toBeLessThan(500)
  expect(await stored()).toEqual(before)
}

const api = (body: BodyInit, path: 'responses' | 'resume' = 'responses') => {
  const request = new Request(`http://localhost/api/v1/surveys/demo/${path}`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } })
  return (path === 'responses' ? postResponse(request, 'demo') : postResumeDraft(request, 'demo')).then((r) => r.status)
}

describe('the form (POST /s/demo): hostile input gets a 4xx and stores nothing', () => {
  it('a valid form is stored (the control for every case below)', async () => {
    const before = await stored()
    expect(await formStatus(formRequest(validFields()))).toBe(302)
    expect((await stored()).responses).toBe(before.responses + 1)
  })

  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'segment.__proto__', 'segment.constructor']) {
    it(`a field named ${name}`, async () => {
      await refusedWithoutStoring(() => formStatus(formRequest(validFields([[name, 'x']]))), 400)
      await refusedWithoutStoring(() => formStatus(formRequest(validFields([[name, 'x'], ['intent', 'save']]))), 400)
    })
  }

  for (const [label, clientId] of [
    ['36 hex characters', '0123456789abcdef0123456789abcdef0123'],
    ['36 dashes', '-'.repeat(36)],
    ['dashes in the wrong places', '01234567-89ab-cdef-0123-456789abcdef'.replace(/-/g, '').replace(/^(.{4})/, '$1----')],
  ] as const) {
    it(`a clientId of ${label}`, async () => {
      const fields = validFields()
      fields.set('clientId', clientId)
      await refusedWithoutStoring(() => formStatus(formRequest(fields)), 400)
      fields.set('intent', 'save')
      await refusedWithoutStoring(() => formStatus(formRequest(fields)), 400)
    })
  }

  it('a multipart body', async () => {
    const body = new FormData()
    for (const [k, v] of validFields()) body.append(k, v)
    await refusedWithoutStoring(() => formStatus(new Request('http://localhost/s/demo', { method: 'POST', body })), 415)
  })

  it('a JSON body, and a body with no content type', async () => {
    const json = JSON.stringify({ clientId: crypto.randomUUID(), ...demoAnswers() })
    await refusedWithoutStoring(() => formStatus(formRequest(json, { 'Content-Type': 'application/json' })), 415)
    await refusedWithoutStoring(() => formStatus(formRequest(new TextEncoder().encode(validFields().toString()), {})), 415)
  })

  it('invalid UTF-8, raw or percent-encoded, gets 400', async () => {
    const text = validFields().toString()
    const raw = Buffer.concat([Buffer.from(text), Buffer.from('&improve=caf'), Buffer.from([0xe9]), Buffer.from('+au+lait')])
    await refusedWithoutStoring(() => formStatus(formRequest(raw)), 400)
    await refusedWithoutStoring(() => formStatus(formRequest(`${text}&improve=caf%E9+au+lait`)), 400)
    await refusedWithoutStoring(() => formStatus(formRequest(`${text}&improve=%ED%A0%80`)), 400) // an encoded lone surrogate
  })

  it('well-formed UTF-8 still arrives intact', async () => {
    const clientId = crypto.randomUUID()
    const fields = validFields()
    fields.set('clientId', clientId)
    fields.set('improve', 'Caffi’r llyfrgell — ✓ 😀')
    expect(await formStatus(formRequest(fields))).toBe(302)
    const [row] = rowsOf<{ answers: { improve?: string } }>(await test.db.execute(sql`select answers from responses where client_id = ${clientId}`))
    expect(row?.answers.improve).toBe('Caffi’r llyfrgell — ✓ 😀')
  })
})

/** JSON nested `depth` deep; 30,000 levels of arrays fit in the 64 KiB body limit. */
function deep(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth)
}

describe('the JSON API: hostile input gets a 4xx and stores nothing', () => {
  it('30,000-deep JSON in segments, on responses and on resume', async () => {
    const id = crypto.randomUUID()
    const answers = JSON.stringify(demoAnswers())
    await refusedWithoutStoring(() => api(`{"id":"${id}","answers":${answers},"segments":${deep(30_000)}}`), 400)
    await refusedWithoutStoring(() => api(`{"id":"${id}","answers":${answers},"segments":{"channel":${deep(30_000)}}}`), 400)
    await refusedWithoutStoring(() => api(`{"clientId":"${id}","answers":{"overall":4},"segments":${deep(30_000)}}`, 'resume'), 400)
    await refusedWithoutStoring(() => api(`{"clientId":"${id}","answers":{"overall":4},"segments":{"channel":${deep(30_000)}}}`, 'resume'), 400)
    // brackets inside strings are text, not nesting
    expect(await api(JSON.stringify({ id: crypto.randomUUID(), answers: { ...demoAnswers(), improve: '['.repeat(500) }, segments: {} }))).toBe(201)
  })

  it('__proto__ keys inside answers are refused with 422, not dropped', async () => {
    const answers = JSON.stringify(demoAnswers()).slice(0, -1)
    for (const extra of ['"__proto__":{"overall":1}', '"__proto__":5', '"improve":{"__proto__":"x"}']) {
      const body = `{"id":"${crypto.randomUUID()}","answers":${answers},${extra}}}`
      await refusedWithoutStoring(() => api(body), 422)
      const resume = `{"clientId":"${crypto.randomUUID()}","answers":${answers},${extra}}}`
      await refusedWithoutStoring(() => api(resume, 'resume'), 422)
    }
    // and elsewhere in the body, a 400
    await refusedWithoutStoring(() => api(`{"id":"${crypto.randomUUID()}","answers":${JSON.stringify(demoAnswers())},"__proto__":{"segments":{}}}`), 400)
  })

  it('invalid UTF-8 gets 400, never a stored U+FFFD', async () => {
    const head = Buffer.from(`{"id":"${crypto.randomUUID()}","answers":{"overall":5,"delivery":4,"timeliness":3,"information":5,"access":4,"professionalism":5,"staff_attitude":5,"improve":"caf`)
    const body = Buffer.concat([head, Buffer.from([0xe9]), Buffer.from(' au lait"}}')])
    await refusedWithoutStoring(() => api(new Uint8Array(body)), 400)
    const resume = Buffer.concat([Buffer.from(`{"clientId":"${crypto.randomUUID()}","answers":{"improve":"caf`), Buffer.from([0xc3]), Buffer.from('"}}')])
    await refusedWithoutStoring(() => api(new Uint8Array(resume), 'resume'), 400)
    const none = rowsOf<{ n: number }>(await test.db.execute(sql`select count(*)::int as n from responses where answers::text like ${'%\uFFFD%'}`))
    expect(Number(none[0]!.n)).toBe(0)
  })

  it('a well-formed body is still stored (the control)', async () => {
    expect(await api(JSON.stringify({ id: crypto.randomUUID(), answers: { ...demoAnswers(), improve: 'café ✓' }, segments: { channel: 'phone' } }))).toBe(201)
  })
})
