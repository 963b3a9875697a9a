import { randomUUID } from 'node:crypto'
import { and, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { action, loader } from '#app/routes/app.settings.population.tsx'
import { parseMarginsCsv } from '#app/routes/app.settings.population.schema.ts'
import type { loadPopulationPage, PopulationActionData } from '#app/routes/app.settings.population.server.ts'
import { buildDashboard } from '#app/services/dashboard.server.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { addMembership, createUser, findOrganisationBySlug, findUserByEmail } from '#db/queries/accounts.ts'
import { getDefaultPopulationProfile, listPopulationProfiles } from '#db/queries/population.ts'
import { findPublishedSurveyBySlug } from '#db/queries/surveys.ts'
import { auditLog } from '#db/schema.ts'
import { DEMO_ADMIN, DEMO_ORGANISATION, DEMO_POPULATION, DEMO_SURVEY_SLUG, seedDemo } from '#db/seed.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'
import { enrolTotpDirectly } from '#tests/support/two-factor.ts'

/*
 * The population profile settings through the real loader and action: create, edit, margins that must sum to
 * the total, CSV upload with row-level errors, the default profile the weighted dashboard rakes to, delete,
 * audit, permissions and tenant scoping.
 */

let test: TestDatabase
let organisationId: string
let surveyId: string
let analystCookie: string
let viewerCookie: string
let other: Tenant

type Ok = Extract<PopulationActionData, { ok: true }>
type Failed = Extract<PopulationActionData, { ok: false }>
/** Either answer of the action, every field optional, so a test reads what it expects and fails otherwise. */
type ActionShape = { ok?: boolean } & Partial<Omit<Ok, 'ok'>> & Partial<Omit<Failed, 'ok'>>
type PageShape = Awaited<ReturnType<typeof loadPopulationPage>>

interface Outcome<T> {
  status: number
  data: T
}

async function settle<T>(call: () => Promise<unknown>): Promise<Outcome<T>> {
  try {
    const result = (await call()) as { type?: string; data?: unknown; init?: ResponseInit | null }
    if (result && result.type === 'DataWithResponseInit') return { status: result.init?.status ?? 200, data: result.data as T }
    return { status: 200, data: result as T }
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, data: {} as T }
    throw thrown
  }
}

function post(body: Record<string, string> | FormData, cookie = analystCookie): Promise<Outcome<ActionShape>> {
  const form = body instanceof FormData ? body : new URLSearchParams(body)
  const request = new Request('http://localhost/app/settings/population', { method: 'POST', headers: { Cookie: cookie, Origin: 'http://localhost' }, body: form })
  return settle(() => action({ request, params: {}, context: {} }))
}

function get(query = '', cookie = analystCookie): Promise<Outcome<PageShape>> {
  const request = new Request(`http://localhost/app/settings/population${query}`, { headers: { Cookie: cookie } })
  return settle(() => loader({ request, params: {}, context: {} }))
}

async function auditActions(): Promise<string[]> {
  const rows = await test.db.select().from(auditLog).where(and(eq(auditLog.organisationId, organisationId), eq(auditLog.targetType, 'population_profile')))
  return rows.map((r) => r.action)
}

const GOOD = 'variable,level,count\nsex,female,600\nsex,male,400\nage_band,16-24,300\nage_band,25-34,700\n'

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  await seedDemo(test.db, { responses: 800 })
  organisationId = (await findOrganisationBySlug(test.db, DEMO_ORGANISATION.slug))!.id
  surveyId = (await findPublishedSurveyBySlug(test.db, DEMO_SURVEY_SLUG))!.survey.id
  const admin = (await findUserByEmail(test.db, DEMO_ADMIN.email))!
  const analyst = await createUser(test.db, `analyst.${randomUUID().slice(0, 8)}@example.test`, 'Analyst', 'x')
  await addMembership(test.db, organisationId, analyst.id, 'analyst')
  // The demo organisation requires two-factor sign-in of every member (db/queries/accounts.ts NEW_ORGANISATION_DEFAULTS).
  await enrolTotpDirectly(test.db, analyst.id)
  const viewer = await createUser(test.db, `viewer.${randomUUID().slice(0, 8)}@example.test`, 'Viewer', 'x')
  await addMembership(test.db, organisationId, viewer.id, 'viewer')
  await enrolTotpDirectly(test.db, viewer.id)
  analystCookie = (await startSession(analyst.id, organisationId)).split(';')[0]!
  viewerCookie = (await startSession(viewer.id, organisationId)).split(';')[0]!
  expect(admin).toBeTruthy()
  other = await createTenant(test.db, 'Other')
})

afterAll(async () => {
  await test?.close()
})

describe('margins CSV', () => {
  it('reads variable,level,count with quoted fields and reports every bad row by number', () => {
    expect(parseMarginsCsv('variable,level,count\r\nsex,"fe,male",10\r\n').margins).toEqual({ sex: { 'fe,male': 10 } })
    const bad = parseMarginsCsv('variable,level,count\nsex,female,abc\nAge Band,16-24,5\nsex,,4\nsex,female,1\nsex,male,3\nsex,male,3\n')
    expect(bad.errors).toEqual([
      'Row 2: the count "abc" is not a whole number',
      'Row 3: the variable "Age Band" must be lower-case letters, digits and underscores, like age_band',
      'Row 4: the level is empty',
      'Row 7: sex = male is listed twice (first on row 6)',
    ])
    expect(parseMarginsCsv('sex,female,10\n').errors[0]).toMatch(/^Row 1: the first row must be the header/)
    expect(parseMarginsCsv('variable,level,count\nsex,female\n').errors[0]).toMatch(/^Row 2: expected 3 fields/)
  })
})

describe('population profile settings', () => {
  it('creates a profile from typed margins, lists it and audits it', async () => {
    const created = await post({ intent: 'save', name: 'Residents 2026', total: '1000', margins: GOOD })
    expect(created.status).toBe(200)
    expect(created.data.ok).toBe(true)
    const page = await get()
    const profile = page.data.profiles.find((p) => p.name === 'Residents 2026')!
    expect(profile.total).toBe(1000)
    // shown sorted (jsonb does not keep the typed order)
    expect(profile.margins).toEqual([
      { variable: 'age_band', levels: [{ level: '16-24', count: 300 }, { level: '25-34', count: 700 }] },
      { variable: 'sex', levels: [{ level: 'female', count: 600 }, { level: 'male', count: 400 }] },
    ])
    expect(profile.unknownVariables).toEqual([])
    expect(await auditActions()).toContain('population.created')
  })

  it('takes the total from the margins when it is left empty, and warns about variables no survey records', async () => {
    const created = await post({ intent: 'save', name: 'Derived total', total: '', margins: 'variable,level,count\nward,north,70\nward,south,30\n' })
    expect(created.data.ok).toBe(true)
    expect(created.data.warnings![0]).toMatch(/No survey records a segment called “ward”/)
    const profiles = await listPopulationProfiles(test.db, organisationId)
    expect(profiles.find((p) => p.name === 'Derived total')?.total).toBe(100)
  })

  it('refuses margins that do not sum to the total, saving nothing', async () => {
    const before = (await listPopulationProfiles(test.db, organisationId)).length
    const refused = await post({
      intent: 'save',
      name: 'Wrong sums',
      total: '1000',
      margins: 'variable,level,count\nsex,female,600\nsex,male,300\nage_band,16-24,1000\n',
    })
    expect(refused.status).toBe(400)
    expect(refused.data.errors!.margins).toEqual(['sex: the levels add up to 900, not the total of 1,000'])
    // the typed values come back so they can be fixed
    expect(refused.data.values!.name).toBe('Wrong sums')
    const noTotal = await post({ intent: 'save', name: 'Disagreeing', total: '', margins: 'variable,level,count\nsex,female,6\nage_band,x,5\n' })
    expect(noTotal.status).toBe(400)
    expect(noTotal.data.errors!.margins![0]).toMatch(/do not add up to the same total \(sex: 6, age_band: 5\)/)
    const noName = await post({ intent: 'save', name: ' ', total: '1000', margins: GOOD })
    expect(noName.data.errors!.name).toBe('Enter a name for the profile')
    expect((await listPopulationProfiles(test.db, organisationId)).length).toBe(before)
  })

  it('edits a profile (the form is filled from it) and audits the change', async () => {
    const profile = (await listPopulationProfiles(test.db, organisationId)).find((p) => p.name === 'Residents 2026')!
    const page = await get(`?edit=${profile.id}`)
    expect(page.data.editing!.name).toBe('Residents 2026')
    expect(page.data.editing!.margins).toBe('variable,level,count\nage_band,16-24,300\nage_band,25-34,700\nsex,female,600\nsex,male,400\n')
    const edited = await post({
      intent: 'save',
      id: profile.id,
      name: 'Residents 2026 (revised)',
      total: '2000',
      margins: GOOD.replace(/(\d+)\n/g, (_, n: string) => `${Number(n) * 2}\n`),
    })
    expect(edited.data.ok).toBe(true)
    const after = (await listPopulationProfiles(test.db, organisationId)).find((p) => p.id === profile.id)!
    expect(after.name).toBe('Residents 2026 (revised)')
    expect(after.margins).toEqual({ sex: { female: 1200, male: 800 }, age_band: { '16-24': 600, '25-34': 1400 } })
    expect(await auditActions()).toContain('population.updated')
  })

  it('gives row-level errors for an uploaded CSV with bad rows, and the file replaces the typed margins', async () => {
    const form = new FormData()
    form.set('intent', 'save')
    form.set('name', 'Uploaded')
    form.set('total', '1000')
    form.set('margins', GOOD)
    form.set('file', new File(['variable,level,count\nsex,female,600\nsex,male,four hundred\nsex,,0\n'], 'margins.csv', { type: 'text/csv' }))
    const refused = await post(form)
    expect(refused.status).toBe(400)
    expect(refused.data.errors!.margins).toEqual(['Row 3: the count "four hundred" is not a whole number', 'Row 4: the level is empty; the count is 0 (leave out levels with no population)'])
    expect(refused.data.values!.margins).toContain('four hundred')
    expect((await listPopulationProfiles(test.db, organisationId)).some((p) => p.name === 'Uploaded')).toBe(false)
  })

  it('makes an uploaded profile the default, and the weighted dashboard rakes to it', async () => {
    // The demo's levels with a much older population: the weighted overall figure must move.
    const older = { ...DEMO_POPULATION.margins.age_band, '16-24': 4_800, '65-74': 25_200 }
    const lines = ['variable,level,count', ...Object.entries(older).map(([l, c]) => `age_band,${l},${c}`), 'sex,female,61200', 'sex,male,58800']
    const before = await buildDashboard(test.db, organisationId, surveyId, { weighted: true })
    expect(before!.populationName).toBe(DEMO_POPULATION.name)
    const form = new FormData()
    form.set('intent', 'save')
    form.set('name', 'Older residents')
    form.set('total', '')
    form.set('margins', '')
    form.set('isDefault', 'on')
    form.set('file', new File([`\uFEFF${lines.join('\r\n')}\r\n`], 'older.csv', { type: 'text/csv' }))
    const saved = await post(form)
    expect(saved.data.ok).toBe(true)
    const profile = await getDefaultPopulationProfile(test.db, organisationId)
    expect(profile!.name).toBe('Older residents')
    expect(profile!.total).toBe(120_000)
    expect((await listPopulationProfiles(test.db, organisationId)).filter((p) => p.isDefault)).toHaveLength(1)
    const after = await buildDashboard(test.db, organisationId, surveyId, { weighted: true })
    expect(after!.populationName).toBe('Older residents')
    expect(after!.weighting!.populationTotal).toBe(120_000)
    expect(after!.overall.cells.overall!.p).not.toBeCloseTo(before!.overall.cells.overall!.p!, 6)

    // and back: "make default" on the demo profile restores the demo figures
    const demo = (await listPopulationProfiles(test.db, organisationId)).find((p) => p.name === DEMO_POPULATION.name)!
    expect((await post({ intent: 'make-default', id: demo.id })).data.ok).toBe(true)
    const restored = await buildDashboard(test.db, organisationId, surveyId, { weighted: true })
    expect(restored!.populationName).toBe(DEMO_POPULATION.name)
    expect(restored!.overall.cells.overall!.p).toBeCloseTo(before!.overall.cells.overall!.p!, 12)
  })

  it('deletes a profile and audits it', async () => {
    const profile = (await listPopulationProfiles(test.db, organisationId)).find((p) => p.name === 'Derived total')!
    expect((await post({ intent: 'delete', id: profile.id })).data.ok).toBe(true)
    expect((await listPopulationProfiles(test.db, organisationId)).some((p) => p.id === profile.id)).toBe(false)
    expect(await auditActions()).toContain('population.deleted')
  })

  it('lets a viewer read but not write', async () => {
    const page = await get('', viewerCookie)
    expect(page.status).toBe(200)
    expect(page.data.canWrite).toBe(false)
    expect(page.data.profiles.length).toBeGreaterThan(0)
    expect((await post({ intent: 'save', name: 'Viewer', total: '1000', margins: GOOD }, viewerCookie)).status).toBe(403)
  })

  it('answers 404 for another organisation’s profile, and leaves it alone', async () => {
    const theirs = other.ids.profileId!
    expect((await get(`?edit=${theirs}`)).status).toBe(404)
    expect((await post({ intent: 'delete', id: theirs })).status).toBe(404)
    expect((await post({ intent: 'make-default', id: theirs })).status).toBe(404)
    expect((await post({ intent: 'save', id: theirs, name: 'Hijack', total: '1000', margins: GOOD })).status).toBe(404)
    const remaining = await listPopulationProfiles(test.db, other.organisationId)
    expect(remaining.map((p) => [p.id, p.name, p.isDefault])).toEqual([[theirs, 'Other population', false]])
    // nor does it appear in this organisation's list
    expect(JSON.stringify((await get()).data)).not.toContain('Other population')
  })
})
