import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDashboard, type Dashboard } from '#app/services/dashboard.server.ts'
import { submitResponse } from '#app/services/submit-response.server.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '../support/database.ts'
import { importOracleFixture } from './aggregates-fixtures.ts'

// Issue 11: "A new user who submits one partial response sees no large group disappear", through the real
// submission path (maintained aggregates) and the dashboard's loader, weighted and unweighted.
describe('one partial response', () => {
  let test: TestDatabase
  let fixture: Awaited<ReturnType<typeof importOracleFixture>>
  beforeAll(async () => {
    test = await createTestDatabase()
    installAsAppDatabase(test)
    fixture = await importOracleFixture(test.db, { withDefaultPopulation: true })
  })
  afterAll(async () => test.close())

  const shown = (d: Dashboard) => {
    const out = new Set<string>()
    for (const row of [d.overall, ...d.rows])
      for (const [rating, cell] of Object.entries(row.cells))
        if (!cell.suppressed) out.add(`${rating}|${row.segment}|${row.group}`)
    return out
  }

  it('hides no group that was shown, in either mode, and every view of the survey agrees on the count', async () => {
    const load = (weighted: boolean) =>
      buildDashboard(test.db, fixture.organisationId, fixture.surveyId, { weighted })
    const before = { unweighted: (await load(false))!, weighted: (await load(true))! }
    expect(before.weighted.options.weighted).toBe(true)
    const outcome = await submitResponse(
      fixture.slug,
      { id: randomUUID(), answers: { overall: 4 }, segments: {} },
      'web',
    )
    expect(outcome.kind).toBe('created')
    const after = { unweighted: (await load(false))!, weighted: (await load(true))! }
    expect(after.unweighted.meta.respondents).toBe(before.unweighted.meta.respondents + 1)
    for (const mode of ['unweighted', 'weighted'] as const) {
      const now = shown(after[mode])
      const missing = [...shown(before[mode])].filter((key) => !now.has(key))
      expect(missing, mode).toEqual([])
    }
    // the partial respondent did not give age or gender: left out of the weighted figures, and the page says so
    expect(after.weighted.meta.excludedFromWeighting).toBe(before.weighted.meta.excludedFromWeighting + 1)
    expect(after.weighted.notes.map((n) => n.code)).toContain('excluded_from_weighting')
    // the default view is the weighted one, as for the exports
    const byDefault = (await buildDashboard(test.db, fixture.organisationId, fixture.surveyId))!
    expect(byDefault.overall.cells.overall).toEqual(after.weighted.overall.cells.overall)
  })
})
