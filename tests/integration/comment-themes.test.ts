import { randomUUID } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { action as commentsAction, loader as commentsLoader } from '#app/routes/app.surveys.$surveyId.comments.tsx'
import { action as themesAction, loader as themesLoader } from '#app/routes/app.surveys.$surveyId.themes.tsx'
import { buildExportTables, tableCsv } from '#app/services/export-tables.server.ts'
import { loadExportContext } from '#app/services/export-context.server.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { rowsOf } from '#db/client.ts'
import { storeResponse, eraseResponse } from '#db/queries/responses.ts'
import { purgeSurveyPastRetention } from '#db/queries/retention.ts'
import { codeComments, countCodedComments, createTheme, listThemes } from '#db/queries/themes.ts'
import { publishSurvey, createSurvey } from '#db/queries/surveys.ts'
import { composeSurvey } from '#templates/index.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'

/*
 * Comment themes (issue 14, item 3) through the real loaders and actions: the coding frame, bulk coding from
 * keyword suggestions, coding one comment from the comments page, frequency by group with the report's
 * suppression, the export table, organisation scoping (404), roles (viewer 403), hostile input (400) and
 * erasure removing a response's codings.
 */

let test: TestDatabase
let tenant: Tenant
let other: Tenant
const cookie = {} as Record<'viewer' | 'analyst' | 'other', string>
let surveyId: string
let seriesId: string
let organisationId: string

type Body = Array<[string, string]>

async function post(
  route: typeof themesAction | typeof commentsAction,
  path: string,
  as: string,
  body: Body,
  id = surveyId,
): Promise<Response> {
  const url = `http://localhost/app/surveys/${id}/${path}`
  const request = new Request(url, {
    method: 'POST',
    headers: { Cookie: as, 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' },
    body: new URLSearchParams(body).toString(),
  })
  try {
    const out = await route({ request, params: { surveyId: id }, context: {} })
    if (out instanceof Response) return out
    const d = out as { data: unknown; init: ResponseInit | null }
    return new Response(JSON.stringify(d.data), { status: d.init?.status ?? 200 })
  } catch (thrown) {
    if (thrown instanceof Response) return thrown
    throw thrown
  }
}

async function open(as = cookie.analyst, id = surveyId) {
  const request = new Request(`http://localhost/app/surveys/${id}/themes`, { headers: { Cookie: as } })
  return themesLoader({ request, params: { surveyId: id }, context: {} })
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
  tenant = await createTenant(test.db, 'Themes')
  other = await createTenant(test.db, 'Elsewhere')
  organisationId = tenant.organisationId
  cookie.viewer = (await startSession(tenant.users.viewer.id, organisationId)).split(';')[0]!
  cookie.analyst = (await startSession(tenant.users.analyst.id, organisationId)).split(';')[0]!
  cookie.other = (await startSession(other.users.analyst.id, other.organisationId)).split(';')[0]!

  const { definition, metadata } = composeSurvey(['core-satisfaction'], { title: 'Themes survey' })
  const survey = await createSurvey(test.db, {
    organisationId,
    slug: `themes-${randomUUID().slice(0, 8)}`,
    title: 'Themes survey',
    wave: '2026',
    templateId: 'core-satisfaction',
    definition,
    metadata,
  })
  surveyId = survey.id
  seriesId = survey.seriesId
  const version = await publishSurvey(test.db, organisationId, survey.id, tenant.users.admin.id)
  const store = async (service: string, improve: string) => {
    const r = await storeResponse(test.db, {
      organisationId,
      surveyId,
      surveyVersionId: version.id,
      clientId: randomUUID(),
      wave: '2026',
      answers: { overall: 4, improve },
      segments: { service },
      source: 'api',
    })
    expect(r.status).toBe('created')
  }
  // waste: 30 comments, 12 about the queue; libraries: 20, 4 about the queue; parking: 3 (a small group), all queue
  for (let i = 0; i < 30; i++) await store('waste', i < 12 ? `The QUEUE was long ${i}` : `Fine ${i}`)
  for (let i = 0; i < 20; i++) await store('libraries', i < 4 ? `Queue at the desk ${i}` : `Good books ${i}`)
  for (let i = 0; i < 3; i++) await store('parking', `Parking queue secret ${i}`)
})

afterAll(async () => {
  await test?.close()
})

describe('comment themes', () => {
  let queueId: string

  it('keeps a coding frame: analysts add themes, names are unique, viewers cannot', async () => {
    expect((await post(themesAction, 'themes', cookie.analyst, [['intent', 'create'], ['name', 'Queues'], ['keywords', 'queue, waiting,  queue ']])).status).toBe(302)
    expect((await post(themesAction, 'themes', cookie.analyst, [['intent', 'create'], ['name', 'Books'], ['keywords', '']])).status).toBe(302)
    const dup = await post(themesAction, 'themes', cookie.analyst, [['intent', 'create'], ['name', 'queues'], ['keywords', '']])
    expect(dup.status).toBe(400)
    expect(await dup.json()).toMatchObject({ errors: { name: expect.stringContaining('already') } })
    expect((await post(themesAction, 'themes', cookie.viewer, [['intent', 'create'], ['name', 'Viewer theme'], ['keywords', '']])).status).toBe(403)
    const themes = await listThemes(test.db, organisationId, surveyId)
    expect(themes.map((t) => t.name)).toEqual(['Books', 'Queues'])
    expect(themes[1]!.keywords).toEqual(['queue', 'waiting'])
    queueId = themes[1]!.id
  })

  it('suggests uncoded comments matching the keywords, never a small group’s, and codes the selected ones', async () => {
    const page = await open()
    const s = page.suggestions.find((x) => x.themeId === queueId)!
    expect(s.total).toBe(16)
    expect(s.comments.every((c) => /queue/i.test(c.text))).toBe(true)
    expect(JSON.stringify(page)).not.toContain('Parking queue secret')
    // a viewer reads the frame and the figures but gets no suggestions (and no response ids)
    const viewerPage = await open(cookie.viewer)
    expect(viewerPage.canCode).toBe(false)
    expect(viewerPage.suggestions).toEqual([])

    const chosen = s.comments.map((c) => ['comment', c.value] as [string, string])
    const done = await post(themesAction, 'themes', cookie.analyst, [['intent', 'code'], ['themeId', queueId], ...chosen])
    expect(done.status).toBe(302)
    expect(done.headers.get('Location')).toContain('coded=16')
    // coding again adds nothing, and the suggestions are used up
    const again = await post(themesAction, 'themes', cookie.analyst, [['intent', 'code'], ['themeId', queueId], ...chosen])
    expect(again.headers.get('Location')).toContain('coded=0')
    expect((await open()).suggestions.find((x) => x.themeId === queueId)!.total).toBe(0)
  })

  it('codes one comment from the comments page, and shows each comment’s themes', async () => {
    const request = new Request(`http://localhost/app/surveys/${surveyId}/comments?q=Good+books+5`, { headers: { Cookie: cookie.analyst } })
    const comments = await commentsLoader({ request, params: { surveyId }, context: {} })
    const c = comments.comments[0]!
    expect(c.ref).not.toBeNull()
    const books = (await listThemes(test.db, organisationId, surveyId)).find((t) => t.name === 'Books')!
    const res = await post(commentsAction, 'comments?q=Good+books+5', cookie.analyst, [['intent', 'set-themes'], ['comment', c.ref!], ['theme', books.id]])
    expect(res.status).toBe(302)
    expect(res.headers.get('Location')).toBe(`/app/surveys/${surveyId}/comments?q=Good+books+5`)
    const after = await commentsLoader({ request, params: { surveyId }, context: {} })
    expect(after.comments[0]!.themeNames).toEqual(['Books'])
    // the viewer sees the themes but gets no reference to code with
    const viewerView = await commentsLoader({
      request: new Request(request.url, { headers: { Cookie: cookie.viewer } }),
      params: { surveyId },
      context: {},
    })
    expect(viewerView.comments[0]!.themeNames).toEqual(['Books'])
    expect(viewerView.comments[0]!.ref).toBeNull()
    expect((await post(commentsAction, 'comments', cookie.viewer, [['intent', 'set-themes'], ['comment', c.ref!], ['theme', books.id]])).status).toBe(403)
    // unticking every theme uncodes it
    await post(commentsAction, 'comments', cookie.analyst, [['intent', 'set-themes'], ['comment', c.ref!]])
    expect((await commentsLoader({ request, params: { surveyId }, context: {} })).comments[0]!.themeNames).toEqual([])
  })

  it('shows frequency by group with Wilson intervals, hiding the small group, and exports the same rows', async () => {
    // code one more comment per large group as Books so every group has coded comments without the theme
    const page = await open()
    const queue = page.frequency.themes.find((t) => t.id === queueId)!
    // 16 coded comments (12 waste, 4 libraries), all carrying Queues; parking's were never suggested
    expect(page.frequency.coded).toBe(16)
    expect(queue.overall).toMatchObject({ status: 'low_base', n: 16, p: 1 })
    const service = queue.breakdowns.find((b) => b.by === 'service')!
    const waste = service.rows.find((r) => r.group === 'waste')!
    expect(waste.cell).toMatchObject({ n: 12, p: 1 })
    const libraries = service.rows.find((r) => r.group === 'libraries')!
    expect(libraries.cell).toMatchObject({ status: 'suppressed', n: null, p: null })

    // analysts can still code a small group's comment (they read responses); its figure stays hidden
    const parking = rowsOf<{ id: string }>(
      await test.db.execute(sql`select id::text as id from responses where organisation_id = ${organisationId}::uuid and segments->>'service' = 'parking'`),
    )
    await codeComments(test.db, { organisationId, surveyId, seriesId }, [queueId], parking.map((p) => ({ responseId: p.id, question: 'improve' })), null)
    const withParking = (await open()).frequency.themes.find((t) => t.id === queueId)!
    const parkingRow = withParking.breakdowns.find((b) => b.by === 'service')!.rows.find((r) => r.group === 'parking')!
    expect(parkingRow.cell).toMatchObject({ status: 'suppressed', p: null, n: null })

    const ctx = (await loadExportContext(test.db, organisationId, surveyId))!
    const table = buildExportTables(ctx).find((t) => t.id === 'comment-themes')!
    expect(table).toBeDefined()
    const wasteRow = table.rows.find((r) => r.theme === 'Queues' && r.group_code === 'waste')!
    const shown = withParking.breakdowns.find((b) => b.by === 'service')!.rows.find((r) => r.group === 'waste')!.cell
    expect([wasteRow.pct_with_theme, wasteRow.lower, wasteRow.upper]).toEqual([shown.p, shown.lower, shown.upper])
    expect(tableCsv(table)).not.toMatch(/parking.*\d+%/i)
    expect(table.rows.find((r) => r.group_code === 'parking')!.pct_with_theme).toBeNull()
  })

  it('is scoped to the organisation: another organisation gets 404 for the survey and for the theme', async () => {
    expect(await status(() => open(cookie.other))).toBe(404)
    expect((await post(themesAction, 'themes', cookie.other, [['intent', 'create'], ['name', 'Intruder'], ['keywords', '']])).status).toBe(404)
    // the other organisation's own survey cannot reach this survey's theme
    const res = await post(themesAction, 'themes', cookie.other, [['intent', 'delete'], ['themeId', queueId]], other.surveyId)
    expect(res.status).toBe(404)
    expect((await listThemes(test.db, organisationId, surveyId)).some((t) => t.id === queueId)).toBe(true)
    // nor code this organisation's responses into its own theme
    const theirs = (await createTheme(test.db, { organisationId: other.organisationId, surveyId: other.surveyId, createdBy: null }, { name: 'Theirs', keywords: [] }))!
    const mine = rowsOf<{ id: string }>(await test.db.execute(sql`select id::text as id from responses where organisation_id = ${organisationId}::uuid limit 3`))
    const added = await post(themesAction, 'themes', cookie.other, [['intent', 'code'], ['themeId', theirs.id], ...mine.map((m) => ['comment', `${m.id}|improve`] as [string, string])], other.surveyId)
    expect(added.headers.get('Location')).toContain('coded=0')
  })

  it('answers hostile input with 400, never 500', async () => {
    const bodies: Body[] = [
      [['intent', 'drop table']],
      [['intent', 'create'], ['name', 'x'.repeat(101)], ['keywords', '']],
      [['intent', 'create'], ['name', 'Ok'], ['keywords', Array.from({ length: 21 }, (_, i) => `k${i}`).join(',')]],
      [['intent', 'delete'], ['themeId', "' or 1=1 --"]],
      [['intent', 'code'], ['themeId', queueId]],
      [['intent', 'code'], ['themeId', queueId], ['comment', 'not-a-comment']],
      [['intent', 'code'], ['themeId', queueId], ['comment', `${randomUUID()}|Robert'); DROP`]],
      [['intent', 'code'], ['themeId', queueId], ...Array.from({ length: 201 }, () => ['comment', `${randomUUID()}|improve`] as [string, string])],
    ]
    for (const body of bodies) expect((await post(themesAction, 'themes', cookie.analyst, body)).status).toBe(400)
    expect((await post(commentsAction, 'comments', cookie.analyst, [['intent', 'set-themes'], ['comment', 'x|y|z']])).status).toBe(400)
    expect((await post(commentsAction, 'comments', cookie.analyst, [['intent', 'set-themes'], ['comment', `${randomUUID()}|improve`], ['theme', 'nope']])).status).toBe(400)
    // a well-formed comment that does not exist is a 404
    expect((await post(commentsAction, 'comments', cookie.analyst, [['intent', 'set-themes'], ['comment', `${randomUUID()}|improve`]])).status).toBe(404)
  })

  it('erasing a response removes its codings', async () => {
    const before = await countCodedComments(test.db, { organisationId, surveyId, seriesId }, ['service'], ['improve'])
    const total = before.reduce((a, c) => a + c.count, 0)
    const coded = rowsOf<{ id: string }>(
      await test.db.execute(sql`select distinct response_id::text as id from response_comment_themes where organisation_id = ${organisationId}::uuid limit 1`),
    )[0]!
    expect(await eraseResponse(test.db, organisationId, coded.id)).toBe(true)
    const left = rowsOf<{ n: number }>(
      await test.db.execute(sql`select count(*)::int as n from response_comment_themes where response_id = ${coded.id}::uuid`),
    )[0]!
    expect(Number(left.n)).toBe(0)
    const after = await countCodedComments(test.db, { organisationId, surveyId, seriesId }, ['service'], ['improve'])
    expect(after.reduce((a, c) => a + c.count, 0)).toBe(total - 1)
  })

  it('the retention purge removes the codings of the responses it deletes', async () => {
    const coded = rowsOf<{ id: string }>(
      await test.db.execute(sql`select distinct response_id::text as id from response_comment_themes where organisation_id = ${organisationId}::uuid limit 2`),
    )
    expect(coded).toHaveLength(2)
    await test.db.execute(
      sql`update responses set submitted_at = '2000-01-01T00:00:00Z' where id in (${sql.join(coded.map((c) => sql`${c.id}::uuid`), sql`, `)})`,
    )
    expect(await purgeSurveyPastRetention(test.db, organisationId, surveyId)).toBe(2)
    const left = rowsOf<{ n: number }>(
      await test.db.execute(
        sql`select count(*)::int as n from response_comment_themes where response_id in (${sql.join(coded.map((c) => sql`${c.id}::uuid`), sql`, `)})`,
      ),
    )[0]!
    expect(Number(left.n)).toBe(0)
  })
})
