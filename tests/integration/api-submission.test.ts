import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getPublicSurvey, postResponse } from '#app/routes/api.v1.surveys.$slug.server.ts'
import { loadSurveyList } from '#app/routes/app._index.server.ts'
import { loadInsight } from '#app/services/insight.server.ts'
import { validationText } from '#app/i18n/validation.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { rowsOf } from '#db/client.ts'
import { addMembership, createUser } from '#db/queries/accounts.ts'
import { publishSurvey } from '#db/queries/surveys.ts'
import { seedDemo } from '#db/seed.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '../support/database.ts'
import { enrolTotpDirectly } from '#tests/support/two-factor.ts'

/** The public API and the storage path behind it, on PGlite in `npm test` and on PostgreSQL in the pg suite. */
let test: TestDatabase

const validAnswers = {
  service: 'libraries',
  channel: 'online',
  overall: 4,
  delivery: 5,
  timeliness: 'dont_know',
  information: 3,
  access: 4,
  professionalism: 5,
  staff_attitude: 5,
  improve: 'More opening hours, please.',
}

function post(body: unknown, slug = 'demo', raw?: string, ask: { query?: string; headers?: Record<string, string> } = {}) {
  const payload = raw ?? JSON.stringify(body)
  return postResponse(
    new Request(`http://localhost/api/v1/surveys/${slug}/responses${ask.query ?? ''}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(payload)), ...ask.headers },
      body: payload,
    }),
    slug,
  )
}

async function countRows(): Promise<number> {
  return Number(rowsOf<{ n: number }>(await test.db.execute(sql`select count(*)::int as n from responses`))[0]!.n)
}

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  await seedDemo(test.db, { responses: 40 })
})

afterAll(async () => {
  await test?.close()
})

describe('GET /api/v1/surveys/:slug', () => {
  it('returns the published definition and the segment parameters it accepts', async () => {
    const res = await getPublicSurvey('demo')
    expect(res.status).toBe(200)
    const body = (await res.json()) as { definition: { pages: unknown[] }; segments: Array<{ param: string; values: string[] }>; version: number }
    expect(body.version).toBe(1)
    expect(body.definition.pages.length).toBeGreaterThan(0)
    expect(body.segments).toContainEqual(expect.objectContaining({ param: 'channel', values: expect.arrayContaining(['phone', 'online']) }))
  })

  it('answers 404 for an unknown survey', async () => {
    expect((await getPublicSurvey('no-such-survey')).status).toBe(404)
  })
})

describe('POST /api/v1/surveys/:slug/responses', () => {
  it('stores a valid response and returns 201 with a receipt', async () => {
    const before = await countRows()
    const id = randomUUID()
    const res = await post({ id, answers: validAnswers, segments: { channel: 'phone' } })
    expect(res.status).toBe(201)
    const { receipt } = (await res.json()) as { receipt: string }
    expect(receipt).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/)
    expect(await countRows()).toBe(before + 1)
    const stored = rowsOf<{ answers: Record<string, unknown>; segments: Record<string, string>; wave: string; source: string }>(
      await test.db.execute(sql`select answers, segments, wave, source from responses where client_id = ${id}`),
    )[0]!
    expect(stored.answers.overall).toBe(4)
    expect(stored.answers.timeliness).toBe('dont_know')
    // The link's channel wins over the answered question; the service question becomes a segment.
    expect(stored.segments).toMatchObject({ channel: 'phone', service: 'libraries' })
    expect(stored.wave).toBe('2026')
    expect(stored.source).toBe('api')
  })

  it('returns the original receipt with 200 when the same id is sent again, and stores no second row', async () => {
    const id = randomUUID()
    const first = await post({ id, answers: validAnswers })
    const before = await countRows()
    const again = await post({ id, answers: validAnswers })
    expect(first.status).toBe(201)
    expect(again.status).toBe(200)
    expect(((await again.json()) as { receipt: string }).receipt).toBe(((await first.json()) as { receipt: string }).receipt)
    expect(await countRows()).toBe(before)
  })

  it('makes exactly one row when the same id arrives concurrently', async () => {
    const id = randomUUID()
    const before = await countRows()
    const results = await Promise.all(Array.from({ length: 10 }, () => post({ id, answers: validAnswers })))
    const statuses = results.map((r) => r.status).sort()
    expect(statuses.filter((s) => s === 201)).toHaveLength(1)
    expect(statuses.filter((s) => s === 200)).toHaveLength(9)
    const receipts = new Set(await Promise.all(results.map(async (r) => ((await r.json()) as { receipt: string }).receipt)))
    expect(receipts.size).toBe(1)
    expect(await countRows()).toBe(before + 1)
  })

  it('answers 409 when the same id comes with different answers', async () => {
    const id = randomUUID()
    expect((await post({ id, answers: validAnswers })).status).toBe(201)
    const res = await post({ id, answers: { ...validAnswers, overall: 1 } })
    expect(res.status).toBe(409)
  })

  it('answers 400 for malformed JSON and for a body of the wrong shape', async () => {
    expect((await post(null, 'demo', '{"id": "x", answers')).status).toBe(400)
    const res = await post({ answers: validAnswers })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { problems: Array<{ question: string }> }
    expect(body.problems.map((p) => p.question)).toContain('id')
  })

  it('answers 422 with a message per question for invalid answers, and stores nothing', async () => {
    const before = await countRows()
    const res = await post({
      id: randomUUID(),
      answers: { ...validAnswers, overall: 7, delivery: 'great', shoe_size: 9, improve: 'x'.repeat(10_000) },
      segments: { channel: 'carrier_pigeon' },
    })
    expect(res.status).toBe(422)
    const body = (await res.json()) as { problems: Array<{ question: string; message: string }> }
    const byQuestion = Object.fromEntries(body.problems.map((p) => [p.question, p.message]))
    expect(Object.keys(byQuestion).sort()).toEqual(['delivery', 'improve', 'overall', 'segments.channel', 'shoe_size'])
    expect(byQuestion.overall).toMatch(/not one of the answers/)
    expect(byQuestion.shoe_size).toMatch(/no question called "shoe_size"/)
    expect(byQuestion.improve).toMatch(/too long/)
    expect(await countRows()).toBe(before)
  })

  it('answers 422 in Welsh for ?lang=cy or Accept-Language: cy, naming the questions by their Welsh titles', async () => {
    const invalid = { id: randomUUID(), answers: { ...validAnswers, overall: 7, shoe_size: 9 } }
    const problemsOf = async (res: Response) => {
      expect(res.status).toBe(422)
      const body = (await res.json()) as { message: string; problems: Array<{ question: string; message: string }> }
      const byQuestion: Record<string, string> = Object.fromEntries(body.problems.map((p) => [p.question, p.message]))
      return { message: body.message, overall: byQuestion.overall, shoe_size: byQuestion.shoe_size }
    }
    const englishRes = await post(invalid)
    expect(englishRes.headers.get('content-language')).toBe('en')
    const english = await problemsOf(englishRes)
    const englishTitle = english.overall!.split(': "7"')[0]!
    expect(englishTitle).toMatch(/^".+"$/)
    for (const ask of [{ query: '?lang=cy' }, { headers: { 'Accept-Language': 'cy-GB,cy;q=0.9,en;q=0.5' } }]) {
      const res = await post(invalid, 'demo', undefined, ask)
      expect(res.headers.get('content-language')).toBe('cy')
      const welsh = await problemsOf(res)
      expect(welsh.message).toBe(validationText.cy.invalidAnswers)
      expect(welsh.overall).toMatch(/^".+": nid yw "7" yn un o'r atebion a gynigir$/)
      expect(welsh.overall).not.toContain(englishTitle)
      expect(welsh.shoe_size).toBe(validationText.cy.unknownQuestion('shoe_size'))
    }
    // English when the client prefers it, or asks for it over its browser's Welsh.
    for (const ask of [{ headers: { 'Accept-Language': 'en-GB,en;q=0.9,cy;q=0.8' } }, { query: '?lang=en', headers: { 'Accept-Language': 'cy' } }]) {
      expect((await problemsOf(await post(invalid, 'demo', undefined, ask))).overall).toBe(english.overall)
    }
  })

  it('refuses an over-large body with 413', async () => {
    const res = await post({ id: randomUUID(), answers: { improve: 'y'.repeat(70_000) } })
    expect(res.status).toBe(413)
  })

  it('answers 410 once the survey is closed, and 404 for an unknown survey', async () => {
    expect((await post({ id: randomUUID(), answers: validAnswers }, 'nope')).status).toBe(404)
    await test.db.execute(sql`update surveys set status = 'closed' where slug = 'demo'`)
    try {
      expect((await post({ id: randomUUID(), answers: validAnswers })).status).toBe(410)
    } finally {
      await test.db.execute(sql`update surveys set status = 'open' where slug = 'demo'`)
    }
  })
})

describe('republishing', () => {
  it('validates the very next submission against the newly published version', async () => {
    const [survey] = rowsOf<{ id: string; organisation_id: string; draft_definition: { pages: Array<{ elements: unknown[] }> } }>(
      await test.db.execute(sql`select id, organisation_id, draft_definition from surveys where slug = 'demo'`),
    )
    const extra = { overall: 4, delivery: 4, opening_hours: 'Later on Thursdays' }
    // Before: the question does not exist, so an answer to it is refused.
    expect((await post({ id: randomUUID(), answers: extra })).status).toBe(422)
    const definition = structuredClone(survey!.draft_definition)
    definition.pages[0]!.elements.push({ type: 'comment', name: 'opening_hours', title: 'Which opening hours would suit you?' })
    await test.db.execute(sql`update surveys set draft_definition = ${JSON.stringify(definition)}::jsonb where id = ${survey!.id}::uuid`)
    await publishSurvey(test.db, survey!.organisation_id, survey!.id, null)
    expect((await post({ id: randomUUID(), answers: extra })).status).toBe(201)
    const definitionServed = (await (await getPublicSurvey('demo')).json()) as { version: number }
    expect(definitionServed.version).toBe(2)
  })
})

describe('staff survey list', () => {
  it("counts a new response and shows the insight report's published overall figure", async () => {
    // an analyst of the demo organisation (admins must first enrol in two-factor sign-in)
    const [demo] = rowsOf<{ organisation_id: string }>(
      await test.db.execute(sql`select organisation_id from surveys where slug = 'demo'`),
    )
    const analyst = await createUser(test.db, `analyst.${randomUUID().slice(0, 8)}@example.test`, 'Analyst', 'x')
    await addMembership(test.db, demo!.organisation_id, analyst.id, 'analyst')
    // The demo organisation requires two-factor sign-in of every member (db/queries/accounts.ts NEW_ORGANISATION_DEFAULTS).
    await enrolTotpDirectly(test.db, analyst.id)
    const cookie = await startSession(analyst.id, demo!.organisation_id)
    const request = () => new Request('http://localhost/app', { headers: { Cookie: cookie.split(';')[0]! } })
    const before = (await loadSurveyList(request())).surveys.find((s) => s.slug === 'demo')!
    expect((await post({ id: randomUUID(), answers: validAnswers })).status).toBe(201)
    const after = (await loadSurveyList(request())).surveys.find((s) => s.slug === 'demo')!
    expect(after.responses).toBe(before.responses + 1)
    // the tile is the report's published overall cell, in the dashboard's default view (app/routes/app._index.server.ts)
    const { report } = (await loadInsight(test.db, demo!.organisation_id, after.id))!
    const cell = report.overall.cells[report.meta.overall]!
    expect(cell.status).not.toBe('suppressed')
    expect(after.overall).toMatchObject({ shown: true, p: cell.p, lower: cell.lower, upper: cell.upper, n: cell.n })
    expect(after.overall!.weighted).toBe(report.meta.weighted)
    // published to the whole percent, with the interval around it
    expect(Math.abs(after.overall!.p! * 100 - Math.round(after.overall!.p! * 100))).toBeLessThan(1e-9)
    expect(after.overall!.lower!).toBeLessThanOrEqual(after.overall!.p!)
    expect(after.overall!.upper!).toBeGreaterThanOrEqual(after.overall!.p!)
  })
})
