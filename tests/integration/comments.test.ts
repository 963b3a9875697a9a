import { randomUUID } from 'node:crypto'
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loader } from '#app/routes/app.surveys.$surveyId.comments.tsx'
import { startSession } from '#app/utils/auth.server.ts'
import { addMembership, createOrganisation, createUser } from '#db/queries/accounts.ts'
import { likePattern } from '#db/queries/comments.ts'
import { storeResponse } from '#db/queries/responses.ts'
import { createSurvey, publishSurvey } from '#db/queries/surveys.ts'
import { organisations } from '#db/schema.ts'
import { composeSurvey } from '#templates/index.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'

/*
 * The comments page (CSE 1.3.5) through its real loader: search (wildcards literal), driver and group
 * filters, paging, the suppression of a small group's comments, and tenant scoping.
 */

let test: TestDatabase
let surveyId: string
let cookie: string
let other: Tenant
let otherCookie: string

type PageData = Awaited<ReturnType<typeof loader>>

async function open(query = '', as = cookie, id = surveyId): Promise<PageData> {
  const request = new Request(`http://localhost/app/surveys/${id}/comments${query}`, { headers: { Cookie: as } })
  return loader({ request, params: { surveyId: id }, context: {} })
}

async function status(call: () => Promise<unknown>): Promise<number> {
  try {
    await call()
    return 200
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status
    throw thrown
  }
}

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  const organisation = await createOrganisation(test.db, `comments-${randomUUID().slice(0, 8)}`, 'Comments Council')
  const user = await createUser(test.db, `viewer.${randomUUID().slice(0, 8)}@example.test`, 'Viewer', 'x')
  await addMembership(test.db, organisation.id, user.id, 'viewer')
  cookie = (await startSession(user.id, organisation.id)).split(';')[0]!

  // Core template plus a free-text question tied to the timeliness driver, and an unlisted comment question.
  const { definition, metadata } = composeSurvey(['core-satisfaction'], { title: 'Comments survey' })
  const page = (definition as { pages: Array<{ elements: unknown[] }> }).pages.at(-1)!
  page.elements.push({ type: 'comment', name: 'timeliness_why', title: 'Why was it slow?' })
  page.elements.push({ type: 'comment', name: 'anything_else', title: 'Anything else?' })
  const survey = await createSurvey(test.db, {
    organisationId: organisation.id,
    slug: `comments-${randomUUID().slice(0, 8)}`,
    title: 'Comments survey',
    wave: '2026',
    templateId: 'core-satisfaction',
    definition,
    metadata: { ...metadata, comments: [...metadata.comments, { question: 'timeliness_why', driver: 'timeliness' }] },
  })
  surveyId = survey.id
  const version = await publishSurvey(test.db, organisation.id, survey.id, user.id)
  const store = async (wave: string, service: string, answers: Record<string, unknown>) => {
    const result = await storeResponse(test.db, {
      organisationId: organisation.id,
      surveyId: survey.id,
      surveyVersionId: version.id,
      clientId: randomUUID(),
      wave,
      answers: { overall: 4, ...answers },
      segments: { service },
      source: 'api',
    })
    expect(result.status).toBe('created')
    // One second apart, in the order stored: the page lists newest first, and PGlite's clock can give two quick
    // inserts the same now(), which would leave the order to the random ids.
    if (result.status !== 'created') return
    stored += 1
    await test.db.execute(
      sql`update responses set submitted_at = ${new Date(Date.UTC(2026, 0, 1) + stored * 1000).toISOString()}::timestamptz where id = ${result.responseId}::uuid`,
    )
  }
  let stored = 0
  // waste_recycling: 10 responses in 2025 without comments, 55 in 2026 each with a numbered comment
  for (let i = 0; i < 10; i++) await store('2025', 'waste_recycling', {})
  for (let i = 0; i < 55; i++) await store('2026', 'waste_recycling', { improve: `Bin collection note ${i}` })
  await store('2025', 'waste_recycling', { improve: 'Collected 100% of the time', timeliness_why: 'Slow to answer the phone' })
  await store('2025', 'waste_recycling', { improve: 'Collected 100 times out of 100' })
  await store('2025', 'waste_recycling', { improve: 'under_score and back\\slash' })
  await store('2025', 'waste_recycling', { improve: '   ', anything_else: 'Lovely <b>staff</b>' })
  // parking: a small group (3 < the default suppression threshold of 10)
  for (let i = 0; i < 3; i++) await store('2026', 'parking', { improve: `Parking secret ${i}` })

  other = await createTenant(test.db, 'Other')
  otherCookie = (await startSession(other.users.admin.id, other.organisationId)).split(';')[0]!
})

afterAll(async () => {
  await test?.close()
})

describe('comments page', () => {
  it('lists every free-text answer (listed questions and unlisted comment questions), 50 to a page, skipping blanks', async () => {
    const first = await open()
    // 55 + 3 improve, 1 timeliness_why, 1 anything_else; the blank one is skipped; parking's 3 are held back (below)
    expect(first.total).toBe(55 + 3 + 1 + 1)
    expect(first.comments).toHaveLength(50)
    expect(first.pages).toBe(2)
    const second = await open('?page=2')
    expect(second.comments).toHaveLength(10)
    const all = [...first.comments, ...second.comments].map((c) => c.text)
    expect(new Set(all).size).toBe(60)
    expect(all).toContain('Lovely <b>staff</b>')
    expect(all).not.toContain('   ')
    // newest first: the last comments stored (parking's) are held back, so the 2025 ones come first
    expect(first.comments[0]!.text).toBe('Lovely <b>staff</b>')
  })

  it('searches case-insensitively, with % and _ matching themselves', async () => {
    expect((await open('?q=bin+COLLECTION+note')).total).toBe(55)
    const percent = await open(`?q=${encodeURIComponent('100%')}`)
    expect(percent.comments.map((c) => c.text)).toEqual(['Collected 100% of the time'])
    const underscore = await open(`?q=${encodeURIComponent('r_s')}`)
    expect(underscore.comments.map((c) => c.text)).toEqual(['under_score and back\\slash'])
    const backslash = await open(`?q=${encodeURIComponent('k\\s')}`)
    expect(backslash.comments.map((c) => c.text)).toEqual(['under_score and back\\slash'])
    // an SQL-looking search is just text
    expect((await open(`?q=${encodeURIComponent("' or 1=1 --")}`)).total).toBe(0)
    expect(likePattern('50%_\\')).toBe('%50\\%\\_\\\\%')
  })

  it('filters by driver: only the free-text questions tied to it', async () => {
    const page = await open('?driver=timeliness')
    expect(page.drivers.map((d) => d.name)).toEqual(['timeliness'])
    expect(page.comments.map((c) => c.text)).toEqual(['Slow to answer the phone'])
    expect(page.comments[0]!.driver).toBe('timeliness')
    expect(page.comments[0]!.questionTitle).toBe('Why was it slow?')
  })

  it('filters by wave and by group', async () => {
    const wave = await open('?wave=2025')
    expect(wave.hidden).toBe(false)
    expect(wave.total).toBe(5)
    const group = await open('?seg.service=waste_recycling&wave=2026')
    expect(group.hidden).toBe(false)
    expect(group.total).toBe(55)
    expect(group.comments.every((c) => c.text.startsWith('Bin collection note'))).toBe(true)
    // the groups offered as filters are those whose comments the report shows: parking (3 < 10) is not offered
    expect(group.segments.find((s) => s.name === 'service')?.groups.map((g) => g.value).sort()).toEqual(['waste_recycling'])
    // a segment the survey does not have is ignored, not trusted
    expect((await open('?seg.nonexistent=x')).total).toBe(60)
  })

  it('hides the comments of a group under the suppression threshold, with a note', async () => {
    const page = await open('?seg.service=parking')
    expect(page.hidden).toBe(true)
    expect(page.comments).toEqual([])
    expect(page.hiddenNote).toBe('Comments hidden: fewer than 10 responses in this group.')
    expect(JSON.stringify(page)).not.toContain('Parking secret')
    // searching cannot get round it
    expect((await open('?seg.service=parking&q=secret')).comments).toEqual([])
    // nor can the full list be compared with the other groups' lists: parking's comments are left out of it
    const all = await open()
    expect(JSON.stringify(all)).not.toContain('Parking secret')
    expect(all.heldBack).toEqual(['Service used: Parking'])
    // and comments carry no group tags
    // (the themes a comment carries, and its reference for coding it when the survey has themes, are no group tag;
    // the reference is sent only to those who may code: tests/integration/comment-themes.test.ts)
    expect(Object.keys(all.comments[0]!).sort()).toEqual(['driver', 'key', 'question', 'questionTitle', 'ref', 'text', 'themeIds', 'themeNames', 'wave'])
    expect(all.comments[0]!.ref).toBeNull()
    // a view that is itself small (one wave, 4 responses: parking in 2025 has none) is hidden whole
    const onlyParkingWave = await open('?wave=2026&seg.service=parking')
    expect(onlyParkingWave.hiddenNote).toBe('Comments hidden: fewer than 10 responses in this group.')
  })

  it('hides a view whose filters leave out fewer than 10 respondents, as the insight report withholds it', async () => {
    // waste_recycling is everyone but parking's 3: comparing its list with the full one would single them out
    const page = await open('?seg.service=waste_recycling')
    expect(page.hidden).toBe(true)
    expect(page.comments).toEqual([])
    expect(page.hiddenNote).toMatch(/^Comments hidden: These filters leave out fewer than 10 respondents/)
  })

  it('hides a whole survey with fewer responses than the threshold', async () => {
    // the other organisation's survey has a single response
    const tiny = await open('', otherCookie, other.surveyId)
    expect(tiny.hidden).toBe(true)
    expect(tiny.hiddenNote).toBe('Comments hidden: fewer than 10 responses in this survey.')
    expect(JSON.stringify(tiny)).not.toContain('private comment')
  })

  it('is scoped to the organisation: another organisation’s survey id is 404, and its comments never appear', async () => {
    expect(await status(() => open('', otherCookie))).toBe(404)
    expect(await status(() => open('', cookie, other.surveyId))).toBe(404)
    expect(await status(() => open('', cookie, 'not-a-uuid'))).toBe(404)
    const own = await open('', otherCookie, other.surveyId)
    expect(own.survey.id).toBe(other.surveyId)
    const mine = await open('?q=private+comment')
    expect(mine.total).toBe(0)
  })

  it('takes its thresholds from the organisation’s settings, as the engine does, even for a survey without a rating', async () => {
    // No rating question: no report, so the page's note must still give the organisation's threshold (5), not 10.
    const org = await createOrganisation(test.db, `comments-t-${randomUUID().slice(0, 8)}`, 'Threshold Council')
    await test.db
      .update(organisations)
      .set({ settings: { smallBase: { lowBase: 30, suppress: 5 } } })
      .where(eq(organisations.id, org.id))
    const user = await createUser(test.db, `viewer.${randomUUID().slice(0, 8)}@example.test`, 'Viewer', 'x')
    await addMembership(test.db, org.id, user.id, 'viewer')
    const as = (await startSession(user.id, org.id)).split(';')[0]!
    const { metadata } = composeSurvey(['core-satisfaction'], { title: 'Comments only' })
    const survey = await createSurvey(test.db, {
      organisationId: org.id,
      slug: `comments-only-${randomUUID().slice(0, 8)}`,
      title: 'Comments only',
      wave: '2026',
      templateId: 'core-satisfaction',
      definition: { pages: [{ name: 'p1', elements: [{ type: 'comment', name: 'anything_else', title: 'Anything else?' }] }] },
      metadata: { ...metadata, ratings: {}, comments: [] },
    })
    const page = await open('', as, survey.id)
    expect(page.hidden).toBe(true)
    expect(page.hiddenNote).toMatch(/no rating question/)
    expect(page.thresholds).toEqual({ lowBase: 30, suppress: 5 })
  })

  it('lets every role read but nobody without a session', async () => {
    expect(await status(() => open('', 'nothing=1'))).toBeGreaterThanOrEqual(300)
  })
})
