import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { rowsOf } from '#db/client.ts'
import { countResponses } from '#db/queries/responses.ts'
import { postResponse, postResumeDraft } from '#app/routes/api.v1.surveys.$slug.server.ts'
import { handleFormSubmission, loadRespondentPage } from '#app/routes/s.$slug.server.ts'
import { purgeExpiredData } from '#app/services/retention.server.ts'
import { clientKeyFor, resetSubmissionLimits } from '#app/utils/submission-limits.server.ts'
import { MAX_SUBMISSION_BYTES } from '#app/services/submission-schema.ts'
import { demoAnswers, demoDatabase, submission } from '#tests/support/collect-fixtures.ts'
import type { TestDatabase } from '#tests/support/database.ts'

let test: TestDatabase
let organisationId: string
let surveyId: string

beforeAll(async () => {
  ;({ test, organisationId, surveyId } = await demoDatabase(5))
})
afterAll(async () => {
  await test.close()
})

const api = (body: string, clientKey?: string, headers: Record<string, string> = {}) =>
  postResponse(new Request('http://localhost/api/v1/surveys/demo/responses', { method: 'POST', body, headers: { 'Content-Type': 'application/json', ...headers } }), 'demo', clientKey)

/** A post of the respondent form; by default from the demo's last part (of four), where Next sends. */
function form(fields: Record<string, string | string[]>): Request {
  const body = new URLSearchParams(fields.page === undefined ? { page: '3' } : {})
  for (const [k, v] of Object.entries(fields)) for (const value of [v].flat()) body.append(k, value)
  return new Request('http://localhost/s/demo', { method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
}

describe('limits', () => {
  it('answers 429 with Retry-After once a client passes its limit, while other clients go on', async () => {
    resetSubmissionLimits({ perClientPerMinute: 3, perSurveyPerSecond: 1000 })
    const me = clientKeyFor('203.0.113.9')
    const statuses = []
    for (let i = 0; i < 5; i++) statuses.push((await api(JSON.stringify(submission()), me)).status)
    expect(statuses).toEqual([201, 201, 201, 429, 429])
    const limited = await api(JSON.stringify(submission()), me)
    expect(Number(limited.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect((await api(JSON.stringify(submission()), clientKeyFor('198.51.100.7'))).status).toBe(201)
    // The no-JS form is limited the same way.
    await expect(handleFormSubmission(form({ clientId: crypto.randomUUID(), overall: '5' }), 'demo', me)).rejects.toMatchObject({ status: 429 })
  })

  it('answers 429 for a burst on one survey from many clients', async () => {
    resetSubmissionLimits({ perClientPerMinute: 1000, perSurveyPerSecond: 5 })
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => api(JSON.stringify(submission()), clientKeyFor(`10.0.0.${i}`)).then((r) => r.status)))
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(5)
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(7)
    resetSubmissionLimits({ perClientPerMinute: 1000, perSurveyPerSecond: 1000 })
  })

  it('the client key is a keyed hash: no address in it, stable within the process', () => {
    const key = clientKeyFor('192.0.2.1')!
    expect(key).not.toContain('192')
    expect(clientKeyFor('192.0.2.1')).toBe(key)
    expect(clientKeyFor('192.0.2.2')).not.toBe(key)
  })

  it('refuses bodies over the cap with 413, with or without Content-Length, and stores nothing', async () => {
    const before = await countResponses(test.db, organisationId, surveyId)
    const huge = JSON.stringify(submission({ ...demoAnswers(), improve: 'x'.repeat(MAX_SUBMISSION_BYTES) }))
    expect((await api(huge, undefined, { 'Content-Length': String(huge.length) })).status).toBe(413)
    const chunked = new Request('http://localhost/api/v1/surveys/demo/responses', {
      method: 'POST',
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode('x'.repeat(8192)))
          c.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect((await postResponse(chunked, 'demo')).status).toBe(413)
    expect(await countResponses(test.db, organisationId, surveyId)).toBe(before)
  })

  it('the honeypot: a filled hidden field looks like success and stores nothing', async () => {
    const before = await countResponses(test.db, organisationId, surveyId)
    const response = (await handleFormSubmission(form({ clientId: crypto.randomUUID(), overall: '5', website: 'http://spam.example' }), 'demo')) as Response
    expect(response.status).toBe(302)
    expect(response.headers.get('Location')).toBe('/s/demo/thanks')
    expect(await countResponses(test.db, organisationId, surveyId)).toBe(before)
  })

  it('a closed survey answers 410 on the page, the form and the API', async () => {
    await test.db.execute(sql`update surveys set status = 'closed' where id = ${surveyId}`)
    try {
      await expect(loadRespondentPage(new Request('http://localhost/s/demo'), 'demo')).rejects.toMatchObject({ status: 410 })
      await expect(handleFormSubmission(form({ clientId: crypto.randomUUID() }), 'demo')).rejects.toMatchObject({ status: 410 })
      expect((await api(JSON.stringify(submission()))).status).toBe(410)
    } finally {
      await test.db.execute(sql`update surveys set status = 'open' where id = ${surveyId}`)
    }
  })
})

describe('idempotent no-JS submission', () => {
  it('a double click (same client id twice) makes one row and the same receipt', async () => {
    const clientId = crypto.randomUUID()
    const fields = { clientId, overall: '5', delivery: '4', timeliness: '4', information: '4', access: '4', professionalism: '4', staff_attitude: '4' }
    const [a, b] = (await Promise.all([handleFormSubmission(form(fields), 'demo'), handleFormSubmission(form(fields), 'demo')])) as Response[]
    expect(a!.status).toBe(302)
    expect(a!.headers.get('Location')).toBe(b!.headers.get('Location'))
    const rows = rowsOf<{ n: number }>(await test.db.execute(sql`select count(*)::int as n from responses where client_id = ${clientId}`))
    expect(Number(rows[0]!.n)).toBe(1)
  })
})

describe('save and resume', () => {
  it('saves partial answers, brings them back with the same client id, and drops the draft once submitted', async () => {
    const clientId = crypto.randomUUID()
    const save = await postResumeDraft(
      new Request('http://localhost/api/v1/surveys/demo/resume', { method: 'POST', body: JSON.stringify({ clientId, answers: { overall: 4, delivery: 'nonsense' }, currentPage: 1 }) }),
      'demo',
    )
    expect(save.status).toBe(200)
    const { token } = (await save.json()) as { token: string }
    const stored = rowsOf<{ token_hash: string }>(await test.db.execute(sql`select token_hash from resume_tokens`))
    expect(stored.some((r) => r.token_hash === token)).toBe(false)
    const page = await loadRespondentPage(new Request(`http://localhost/s/demo?resume=${token}`), 'demo')
    expect(page.clientId).toBe(clientId)
    expect(page.initialAnswers).toEqual({ overall: 4 }) // the invalid answer was not kept
    expect(page.initialPage).toBe(1)
    const sent = await api(JSON.stringify({ id: clientId, answers: demoAnswers(), resume: token }))
    expect(sent.status).toBe(201)
    const after = await loadRespondentPage(new Request(`http://localhost/s/demo?resume=${token}`), 'demo')
    expect(after.initialAnswers).toBeNull()
  })

  it('the no-JS "save and come back later" button returns a resume link', async () => {
    const clientId = crypto.randomUUID()
    const result = (await handleFormSubmission(form({ clientId, intent: 'save', overall: '2' }), 'demo')) as { data: { saved?: { url: string } } }
    const url = new URL(result.data.saved!.url)
    const page = await loadRespondentPage(new Request(url.toString()), 'demo')
    expect(page.initialAnswers).toEqual({ overall: 2 })
    expect(page.clientId).toBe(clientId)
  })
})

describe('retention', () => {
  it('purges responses older than the survey’s retention period and keeps the rest', async () => {
    await test.db.execute(sql`update surveys set retention_days = 30 where id = ${surveyId}`)
    await test.db.execute(sql`update responses set submitted_at = now() - interval '1 hour' where survey_id = ${surveyId}`)
    const old = rowsOf<{ id: string }>(await test.db.execute(sql`select id from responses where survey_id = ${surveyId} limit 3`)).map((r) => r.id)
    for (const id of old) await test.db.execute(sql`update responses set submitted_at = now() - interval '31 days' where id = ${id}`)
    await test.db.execute(sql`update responses set submitted_at = now() - interval '29 days' where id = (select id from responses where survey_id = ${surveyId} and submitted_at > now() - interval '1 day' limit 1)`)
    const before = await countResponses(test.db, organisationId, surveyId)
    const purged = await purgeExpiredData(test.db)
    expect(purged.responses).toBe(3)
    expect(await countResponses(test.db, organisationId, surveyId)).toBe(before - 3)
    const left = rowsOf<{ n: number }>(await test.db.execute(sql`select count(*)::int as n from responses where id in (${sql.join(old.map((id) => sql`${id}`), sql`, `)})`))
    expect(Number(left[0]!.n)).toBe(0)
    expect((await purgeExpiredData(test.db)).responses).toBe(0)
  })

  // The schedule is a job on the queue now: tests/integration/jobs-retention.test.ts.
})
