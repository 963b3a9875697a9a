import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { action as actionsAction, loader as actionsLoader } from '#app/routes/app.surveys.$surveyId.actions.tsx'
import { loader as dashboardLoader } from '#app/routes/app.surveys.$surveyId.dashboard.tsx'
import { loadPublicResults } from '#app/services/public-results.server.ts'
import { publishResults } from '#app/services/results-snapshot.server.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { addMembership, createUser } from '#db/queries/accounts.ts'
import { listActions } from '#db/queries/actions.ts'
import { createTheme } from '#db/queries/themes.ts'
import { getSurveyForOrganisation } from '#db/queries/surveys.ts'
import { auditLog, organisations } from '#db/schema.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { postForm } from '#tests/support/post-form.ts'
import { ORACLE_DIR, importOracleFixture } from './aggregates-fixtures.ts'

/*
 * Issue 14, item 2 ("You said, we did"): staff record actions against findings; a completed action's measure is
 * compared between the wave before and the wave after, with the change tested by the insight engine and judged
 * on its interval. On the public oracle (weighted by default) the evidence for 2025 → 2026 is R's design-based
 * contrast (tests/fixtures/oracle-public/results.json, weighted_trend; README gives the svycontrast call), in
 * whole percentage points. Completed actions marked public appear on the public page, and only those.
 */

const oracle = JSON.parse(readFileSync(join(ORACLE_DIR, 'results.json'), 'utf8')) as {
  weighted_trend: Record<string, { difference: number; ci95: { lower: number; upper: number }; p_value: number }>
}

let test: TestDatabase
let organisationId: string
let orgSlug: string
let surveyId: string
let userId: string
let analystCookie: string
let viewerCookie: string

const post = (cookie: string, body: Record<string, string>, id = surveyId): Promise<Response> =>
  postForm(actionsAction, `http://localhost/app/surveys/${id}/actions`, { surveyId: id }, cookie, body)

const base = {
  intent: 'create',
  title: 'Answer calls within a day',
  finding: 'driver|timeliness',
  owner: 'Head of customer services',
  dueDate: '2026-03-31',
  status: 'completed',
  publicWording: 'You said we were slow to reply; we now answer within a day.',
  publicWordingCy: 'Dywedoch chi ein bod yn araf yn ateb; rydyn ni nawr yn ateb o fewn diwrnod.',
  showPublicly: 'on',
  waveBefore: '2025',
  waveAfter: '2026',
}

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  const fixture = await importOracleFixture(test.db, { withDefaultPopulation: true })
  organisationId = fixture.organisationId
  surveyId = fixture.surveyId
  userId = fixture.userId
  orgSlug = (await test.db.select().from(organisations).where(eq(organisations.id, organisationId)))[0]!.slug
  analystCookie = (await startSession(fixture.userId, organisationId)).split(';')[0]!
  const viewer = await createUser(test.db, `viewer-${randomUUID()}@example.test`, 'Viewer', 'x')
  await addMembership(test.db, organisationId, viewer.id, 'viewer')
  viewerCookie = (await startSession(viewer.id, organisationId)).split(';')[0]!
})

afterAll(async () => {
  await test?.close()
})

describe('actions: you said, we did', () => {
  it('records actions, audited; viewers cannot; bad input is a 400 with reasons', async () => {
    expect((await post(analystCookie, base)).status).toBe(302)
    expect((await post(analystCookie, { ...base, title: 'Fix the parking permits page', finding: 'group|service|Parking', showPublicly: '', publicWording: '' })).status).toBe(302)
    expect((await post(analystCookie, { ...base, title: 'Plan only', status: 'planned' })).status).toBe(302)
    const theme = (await createTheme(test.db, { organisationId, surveyId, createdBy: userId }, { name: 'Confusing bills', keywords: ['bill'] }))!
    expect((await post(analystCookie, { ...base, title: 'Explain bills', finding: `theme|${theme.id}`, status: 'in_progress', waveBefore: '', waveAfter: '' })).status).toBe(302)
    // a theme is chosen from the survey's coding frame: a name, or another id, is refused
    expect((await post(analystCookie, { ...base, title: 'Free text', finding: 'theme|Confusing bills' })).status).toBe(400)
    expect((await post(analystCookie, { ...base, title: 'Unknown', finding: `theme|${randomUUID()}` })).status).toBe(400)
    expect((await post(viewerCookie, base)).status).toBe(403)
    const bad = await post(analystCookie, { ...base, finding: 'driver|no_such_driver' })
    expect(bad.status).toBe(400)
    const missing = await post(analystCookie, { ...base, owner: '', publicWording: '', waveAfter: '2025' })
    expect(missing.status).toBe(400)
    expect(Object.keys((await missing.json()) as { errors: object })).toEqual(['ok', 'errors'])
    expect((await post(analystCookie, { ...base, intent: 'update', actionId: randomUUID() })).status).toBe(404)
    const survey = (await getSurveyForOrganisation(test.db, organisationId, surveyId))!
    const rows = await listActions(test.db, organisationId, survey.seriesId)
    expect(rows.map((r) => r.title)).toEqual(['Answer calls within a day', 'Fix the parking permits page', 'Plan only', 'Explain bills'])
    const audits = await test.db.select().from(auditLog).where(eq(auditLog.action, 'action.create'))
    expect(audits).toHaveLength(4)
  })

  it('a completed action’s change is the engine’s tested change, equal to R’s svycontrast in whole points', async () => {
    const page = (await actionsLoader({
      request: new Request(`http://localhost/app/surveys/${surveyId}/actions`, { headers: { Cookie: analystCookie } }),
      params: { surveyId },
      context: {},
    })) as Awaited<ReturnType<typeof actionsLoader>>
    const timeliness = page.actions.find((a) => a.title === 'Answer calls within a day')!.evidence!
    expect(timeliness.status).toBe('ok')
    const r = oracle.weighted_trend.timeliness!
    const points = (x: number) => Math.sign(x) * Math.floor(Math.abs(x) * 100 + 0.5)
    expect(timeliness.change!.method).toBe('design-based')
    expect(timeliness.change!.differencePoints).toBe(points(r.difference))
    expect(timeliness.change!.lowerPoints).toBe(points(r.ci95.lower))
    expect(timeliness.change!.upperPoints).toBe(points(r.ci95.upper))
    expect(timeliness.change!.pValue).toBeCloseTo(r.p_value, 9)
    expect(timeliness.change!.verdict).toBe('increase') // R's interval excludes 0
    expect(timeliness.before!.wave).toBe('2025')
    expect(timeliness.after!.wave).toBe('2026')

    // a group finding: overall satisfaction of that group in the two waves, judged on its interval
    const parking = page.actions.find((a) => a.title === 'Fix the parking permits page')!.evidence!
    expect(parking.measure).toBe('overall')
    expect(parking.status).toBe('ok')
    const c = parking.change!
    expect(c.verdict === 'no_clear_change').toBe(c.lowerPoints! <= 0 && c.upperPoints! >= 0)
    // not completed: no evidence
    expect(page.actions.find((a) => a.title === 'Plan only')!.evidence).toBeNull()
  })

  it('the dashboard shows each completed action with the same evidence', async () => {
    const d = (await dashboardLoader({
      request: new Request(`http://localhost/app/surveys/${surveyId}/dashboard`, { headers: { Cookie: analystCookie } }),
      params: { surveyId },
      context: {},
    })) as Awaited<ReturnType<typeof dashboardLoader>>
    expect(d.actions.map((a) => a.title)).toEqual(['Answer calls within a day', 'Fix the parking permits page'])
    const trend = d.dashboard.trends.find((t) => t.rating === 'timeliness')!
    expect(d.actions[0]!.evidence.change).toEqual(trend.change)
  })

  it('the unweighted dashboard shows evidence worked out unweighted too, also where it reads other waves or a group', async () => {
    const d = (await dashboardLoader({
      request: new Request(`http://localhost/app/surveys/${surveyId}/dashboard?weighted=0`, { headers: { Cookie: analystCookie } }),
      params: { surveyId },
      context: {},
    })) as Awaited<ReturnType<typeof dashboardLoader>>
    const [timeliness, parking] = d.actions.map((a) => a.evidence)
    // the dashboard's own trend (the same two waves): reused as it is
    expect(timeliness!.change).toEqual(d.dashboard.trends.find((t) => t.rating === 'timeliness')!.change)
    expect(timeliness!.change!.method).not.toBe('design-based')
    // a group finding is read as a report of that group: it follows the dashboard's weighting, not the default
    expect(parking!.status).toBe('ok')
    expect(parking!.change!.method).not.toBe('design-based')
    const weighted = (await dashboardLoader({
      request: new Request(`http://localhost/app/surveys/${surveyId}/dashboard`, { headers: { Cookie: analystCookie } }),
      params: { surveyId },
      context: {},
    })) as Awaited<ReturnType<typeof dashboardLoader>>
    expect(weighted.actions[1]!.evidence.change!.method).toBe('design-based')
  })

  it('the public page lists completed actions marked public, and only those, in the reader’s language', async () => {
    const org = (await test.db.select().from(organisations).where(eq(organisations.id, organisationId)))[0]!
    await publishResults(test.db, { organisationId, organisationName: org.name, userId }, surveyId, { kind: 'wave', wave: '2026' })
    const en = (await loadPublicResults(test.db, orgSlug, null, 'en'))!
    expect(en.actions.map((a) => a.wording)).toEqual([base.publicWording])
    const cy = (await loadPublicResults(test.db, orgSlug, null, 'cy'))!
    expect(cy.actions.map((a) => a.wording)).toEqual([base.publicWordingCy])
  })
})
