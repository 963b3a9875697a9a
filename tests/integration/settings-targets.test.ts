import { randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { action, loader } from '#app/routes/app.settings.targets.tsx'
import type { loadTargetsPage, TargetsActionData } from '#app/routes/app.settings.targets.server.ts'
import { buildDashboard, type Dashboard } from '#app/services/dashboard.server.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { addMembership, createUser, findOrganisationBySlug } from '#db/queries/accounts.ts'
import { findPublishedSurveyBySlug } from '#db/queries/surveys.ts'
import { listTargets } from '#db/queries/targets.ts'
import { auditLog } from '#db/schema.ts'
import { DEMO_ORGANISATION, DEMO_SURVEY_SLUG, seedDemo } from '#db/seed.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'
import { enrolTotpDirectly } from '#tests/support/two-factor.ts'

/*
 * Targets through the real loader and action, judged on the dashboard: a target under the latest wave's
 * interval is met, one above it is below target, one inside it is not demonstrably different.
 */

let test: TestDatabase
let organisationId: string
let surveyId: string
let seriesId: string
let analystCookie: string
let viewerCookie: string
let other: Tenant

type ActionShape = { ok?: boolean; message?: string } & Partial<Omit<Extract<TargetsActionData, { ok: false }>, 'ok'>>
type PageShape = Awaited<ReturnType<typeof loadTargetsPage>>

async function settle<T>(call: () => Promise<unknown>): Promise<{ status: number; data: T }> {
  try {
    const result = (await call()) as { type?: string; data?: unknown; init?: ResponseInit | null }
    if (result && result.type === 'DataWithResponseInit') return { status: result.init?.status ?? 200, data: result.data as T }
    return { status: 200, data: result as T }
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, data: {} as T }
    throw thrown
  }
}

function save(targets: Record<string, string>, options: { cookie?: string; survey?: string } = {}) {
  const body = new URLSearchParams({ intent: 'save', surveyId: options.survey ?? surveyId })
  for (const [measure, percent] of Object.entries(targets)) body.set(`target.${measure}`, percent)
  const request = new Request('http://localhost/app/settings/targets', {
    method: 'POST',
    headers: { Cookie: options.cookie ?? analystCookie, Origin: 'http://localhost' },
    body,
  })
  return settle<ActionShape>(() => action({ request, params: {}, context: {} }))
}

function open(query: string, cookie = analystCookie) {
  const request = new Request(`http://localhost/app/settings/targets${query}`, { headers: { Cookie: cookie } })
  return settle<PageShape>(() => loader({ request, params: {}, context: {} }))
}

function trend(d: Dashboard, rating: string) {
  const row = d.trends.find((t) => t.rating === rating)
  if (!row) throw new Error(`no trend for ${rating}`)
  return row
}

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  await seedDemo(test.db, { responses: 800 })
  organisationId = (await findOrganisationBySlug(test.db, DEMO_ORGANISATION.slug))!.id
  const published = (await findPublishedSurveyBySlug(test.db, DEMO_SURVEY_SLUG))!
  surveyId = published.survey.id
  seriesId = published.survey.seriesId
  const analyst = await createUser(test.db, `analyst.${randomUUID().slice(0, 8)}@example.test`, 'Analyst', 'x')
  await addMembership(test.db, organisationId, analyst.id, 'analyst')
  // The demo organisation requires two-factor sign-in of every member (db/queries/accounts.ts NEW_ORGANISATION_DEFAULTS).
  await enrolTotpDirectly(test.db, analyst.id)
  const viewer = await createUser(test.db, `viewer.${randomUUID().slice(0, 8)}@example.test`, 'Viewer', 'x')
  await addMembership(test.db, organisationId, viewer.id, 'viewer')
  await enrolTotpDirectly(test.db, viewer.id)
  analystCookie = (await startSession(analyst.id, organisationId)).split(';')[0]!
  viewerCookie = (await startSession(viewer.id, organisationId)).split(';')[0]!
  other = await createTenant(test.db, 'Other')
})

afterAll(async () => {
  await test?.close()
})

describe('targets settings', () => {
  it('lists the survey’s measures, overall first, with no targets yet', async () => {
    const none = await open('')
    expect(none.status).toBe(200)
    expect(none.data.selected).toBeNull()
    expect(none.data.surveys.map((s) => s.id)).toEqual([surveyId])
    const page = await open(`?survey=${surveyId}`)
    expect(page.data.selected!.measures[0]).toEqual({ name: 'overall', label: 'Overall satisfaction', percent: '' })
    expect(page.data.selected!.measures.map((m) => m.name)).toEqual(expect.arrayContaining(['delivery', 'timeliness', 'access']))
    expect(page.data.canWrite).toBe(true)
  })

  it('saves targets as proportions and the dashboard judges them: met, below target, not demonstrably different', async () => {
    const before = (await buildDashboard(test.db, organisationId, surveyId))!
    const latest = (rating: string) => trend(before, rating).points.at(-1)!.cell
    const overall = latest('overall')
    const timeliness = latest('timeliness')
    const delivery = latest('delivery')
    // a target two points under the interval, two points over it, and the estimate itself
    const met = Math.floor(overall.lower! * 100) - 2
    const below = Math.ceil(timeliness.upper! * 100) + 2
    const inside = (Math.round(delivery.p! * 1000) / 10).toFixed(1)
    expect(delivery.lower! * 100).toBeLessThan(Number(inside))
    expect(delivery.upper! * 100).toBeGreaterThan(Number(inside))

    const saved = await save({ overall: String(met), timeliness: String(below), delivery: inside })
    expect(saved.status).toBe(200)
    expect(saved.data.ok).toBe(true)
    const stored = new Map((await listTargets(test.db, organisationId, seriesId)).map((t) => [t.measure, t.target]))
    expect(stored.get('overall')).toBe(met / 100)
    expect(stored.get('delivery')).toBe(Number(inside) / 100)

    const after = (await buildDashboard(test.db, organisationId, surveyId))!
    expect(trend(after, 'overall')).toMatchObject({ target: met / 100, targetVerdict: 'met' })
    expect(trend(after, 'timeliness')).toMatchObject({ target: below / 100, targetVerdict: 'below_target' })
    expect(trend(after, 'delivery')).toMatchObject({ target: Number(inside) / 100, targetVerdict: 'not_demonstrably_different' })
    expect(trend(after, 'access')).toMatchObject({ target: null, targetVerdict: null })

    // the form shows them back as percentages
    const page = await open(`?survey=${surveyId}`)
    expect(page.data.selected!.measures.find((m) => m.name === 'delivery')!.percent).toBe(String(Number(inside)))
  })

  it('changes and removes targets, auditing each', async () => {
    expect((await save({ overall: '99.5', timeliness: '' })).data.ok).toBe(true)
    const stored = new Map((await listTargets(test.db, organisationId, seriesId)).map((t) => [t.measure, t.target]))
    expect(stored.get('overall')).toBe(0.995)
    expect(stored.has('timeliness')).toBe(false)
    const d = (await buildDashboard(test.db, organisationId, surveyId))!
    expect(trend(d, 'overall').targetVerdict).toBe('below_target')
    expect(trend(d, 'timeliness').target).toBeNull()
    const actions = (await test.db.select().from(auditLog).where(and(eq(auditLog.organisationId, organisationId), eq(auditLog.targetType, 'target')))).map(
      (r) => `${r.action}:${(r.details as { measure: string }).measure}`,
    )
    expect(actions.sort()).toEqual(
      ['target.created:overall', 'target.created:timeliness', 'target.created:delivery', 'target.updated:overall', 'target.deleted:timeliness'].sort(),
    )
  })

  it('refuses percentages outside 0–100 and unknown measures, per field', async () => {
    const refused = await save({ overall: '101', delivery: 'abc', access: '50' })
    expect(refused.status).toBe(400)
    expect(refused.data.errors).toEqual({
      'target.overall': 'Enter a percentage from 0 to 100, like 75 or 72.5',
      'target.delivery': 'Enter a percentage from 0 to 100, like 75 or 72.5',
    })
    expect((await listTargets(test.db, organisationId, seriesId)).some((t) => t.measure === 'access')).toBe(false)
    const unknown = await save({ not_a_measure: '50' })
    expect(unknown.status).toBe(400)
    expect(unknown.data.errors!.form).toMatch(/no measure called not_a_measure/)
  })

  it('lets a viewer read but not write', async () => {
    const page = await open(`?survey=${surveyId}`, viewerCookie)
    expect(page.status).toBe(200)
    expect(page.data.canWrite).toBe(false)
    expect((await save({ overall: '10' }, { cookie: viewerCookie })).status).toBe(403)
  })

  it('answers 404 for another organisation’s survey, and leaves its targets alone', async () => {
    expect((await open(`?survey=${other.surveyId}`)).status).toBe(404)
    expect((await open('?survey=not-a-uuid')).status).toBe(404)
    expect((await save({ overall: '10' }, { survey: other.surveyId })).status).toBe(404)
    const theirs = await listTargets(test.db, other.organisationId, other.seriesId)
    expect(theirs.map((t) => [t.measure, t.target])).toEqual([['overall', 0.8]])
    expect(JSON.stringify((await open('')).data)).not.toContain(other.surveyTitle)
  })
})
