import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countAggregatesFromRows, type ResponseRow } from '#analysis/count-aggregates-from-rows.ts'
import { parseAnalysisConfig } from '#analysis/parse-analysis-config.ts'
import { buildDashboard } from '#app/services/dashboard.server.ts'
import { addMembership, createOrganisation, createUser } from '#db/queries/accounts.ts'
import {
  countResponses,
  listWaves,
  loadAggregates,
  loadAnswerPatterns,
  loadFinestCells,
  wavesFromFinestCells,
  type AggregateFilters,
  type AnswerPatterns,
} from '#db/queries/aggregates.ts'
import { scanAnswerPatterns, scanFinestCells } from '#db/queries/aggregates-scan.ts'
import { newReceipt, payloadHash } from '#db/queries/responses.ts'
import { createSurvey, publishSurvey } from '#db/queries/surveys.ts'
import { populationProfiles, responses } from '#db/schema.ts'
import { requireTemplate } from '#templates/index.ts'
import { createTestDatabase, type TestDatabase } from '#tests/support/database.ts'

const RATINGS = [
  'overall',
  'delivery',
  'timeliness',
  'information',
  'access',
  'professionalism',
  'staff_attitude',
]

/** Deterministic rows: channel sizes 120 / 45 / 30 / 5 (ok, low base, low base, suppressed), two waves. */
function makeRows(): ResponseRow[] {
  const rows: ResponseRow[] = []
  const sizes: Array<[string, number]> = [
    ['phone', 120],
    ['online', 45],
    ['in_person', 30],
    ['letter', 5],
  ]
  let i = 0
  for (const [channel, size] of sizes) {
    for (let k = 0; k < size; k++, i++) {
      const row: Record<string, string | number | null> = {
        id: `r${i}`,
        wave: i % 3 === 0 ? '2025' : '2026',
        channel,
        service: ['parking', 'libraries', 'council_tax'][i % 3]!,
        age_band: ['16-24', '25-34', '35-44'][i % 3 === 0 ? 0 : i % 5 === 0 ? 1 : 2]!,
        sex: i % 2 === 0 ? 'female' : 'male',
      }
      RATINGS.forEach((r, j) => {
        const v = 1 + ((i * (j + 3) + (channel === 'phone' ? 2 : 0)) % 5)
        row[r] = (i + j) % 17 === 0 ? null : v
      })
      rows.push(row)
    }
  }
  return rows
}

describe('SQL aggregate loader and dashboard flags', () => {
  let test: TestDatabase
  let organisationId: string
  let otherOrganisationId: string
  let surveyId: string
  const rows = makeRows()
  const config = parseAnalysisConfig({
    id: 'id',
    wave: 'wave',
    ratings: RATINGS,
    overall: 'overall',
    drivers: RATINGS.slice(1),
    segments: ['channel', 'service'],
    scale: { satisfied: [4, 5], neither: [3], dissatisfied: [1, 2] },
    raking: { variables: ['sex'] },
  })

  beforeAll(async () => {
    test = await createTestDatabase()
    const db = test.db
    const org = await createOrganisation(db, 'agg-org', 'Aggregates Council')
    const other = await createOrganisation(db, 'agg-other', 'Other Council')
    organisationId = org.id
    otherOrganisationId = other.id
    const user = await createUser(db, 'agg@example.test', 'Agg', 'x')
    await addMembership(db, org.id, user.id, 'analyst')
    const core = requireTemplate('core-satisfaction')
    const survey = await createSurvey(db, {
      organisationId: org.id,
      slug: 'agg-survey',
      title: 'Aggregates',
      wave: '2026',
      templateId: 'core-satisfaction',
      definition: core.definition,
      metadata: {
        ...core.metadata,
        segments: [
          { question: 'channel', label: 'Channel' },
          { question: 'service', label: 'Service' },
        ],
        // sex comes from the link, so the survey collects the population's raking variable
        urlSegments: [
          {
            param: 'sex',
            label: 'Sex',
            values: [
              { value: 'female', label: 'Female' },
              { value: 'male', label: 'Male' },
            ],
          },
        ],
      },
    })
    surveyId = survey.id
    const version = await publishSurvey(db, org.id, survey.id, user.id)
    await db
      .insert(populationProfiles)
      .values({
        organisationId: org.id,
        name: 'Pop',
        total: 1000,
        margins: { sex: { female: 520, male: 480 } },
        isDefault: true,
      })
    const values = rows.map((row, index) => {
      const answers: Record<string, unknown> = {}
      for (const r of RATINGS) answers[r] = row[r] === null ? 'dont_know' : row[r]
      const segments = {
        channel: String(row.channel),
        service: String(row.service),
        age_band: String(row.age_band),
        sex: String(row.sex),
      }
      return {
        organisationId: org.id,
        surveyId: survey.id,
        surveyVersionId: version.id,
        clientId: randomUUID(),
        payloadHash: payloadHash(answers, segments),
        receipt: newReceipt(),
        wave: String(row.wave),
        answers,
        segments,
        source: 'import' as const,
        submittedAt: new Date(Date.UTC(2026, 0, 1 + (index % 60))),
      }
    })
    await db.insert(responses).values(values)
  }, 120_000)
  afterAll(async () => {
    await test?.close()
  })

  const spec = () => ({
    ratings: RATINGS,
    scaleValues: [1, 2, 3, 4, 5],
    segments: ['channel', 'service'],
    rakingVariables: ['sex'],
    keyDriverVariables: RATINGS,
  })

  it('produces exactly the counts the row path produces (groups, raking cells, tallies, key-driver pairs)', async () => {
    const fromSql = await loadAggregates(test.db, { organisationId, surveyId }, spec())
    const fromRows = countAggregatesFromRows(rows, config)
    const key = (o: object) => JSON.stringify(o)
    const sortBy = <T extends object>(xs: T[]) => xs.map(key).sort()
    expect(fromSql.waves).toEqual(['2025', '2026'])
    expect(sortBy(fromSql.cells)).toEqual(sortBy(fromRows.cells))
    expect(sortBy(fromSql.groupCells)).toEqual(sortBy(fromRows.groupCells))
    expect(sortBy(fromSql.tallies)).toEqual(sortBy(fromRows.tallies))
    expect(fromSql.keyDrivers?.nWave).toBe(fromRows.keyDrivers?.nWave)
    expect(sortBy(fromSql.keyDrivers!.pairs)).toEqual(sortBy(fromRows.keyDrivers!.pairs))
  })

  it('reads from the maintained tables exactly what a scan of the responses counts, and derives the same wave list', async () => {
    const scope = { organisationId, surveyId }
    const maintained = await loadFinestCells(test.db, scope, spec(), {}, { fieldwork: true })
    const scanned = await scanFinestCells(test.db, scope, spec(), {}, { fieldwork: true })
    expect(maintained.cells.length).toBeGreaterThan(10)
    expect(maintained).toEqual(scanned)
    // The answers really vary, so a slip between ratings or values would show.
    expect(new Set(maintained.cells.flatMap((c) => c.counts.flat())).size).toBeGreaterThan(5)
    expect(wavesFromFinestCells(maintained)).toEqual(await listWaves(test.db, scope))
  })

  it('reads the key-driver patterns beside the cells when told the latest wave, and ignores a wrong guess', async () => {
    const scope = { organisationId, surveyId }
    const plain = await loadAggregates(test.db, scope, spec())
    expect(plain.keyDrivers?.wave).toBe('2026')
    for (const guess of ['2026', '2025', 'no such wave', undefined]) {
      const guessed = await loadAggregates(test.db, scope, spec(), {}, undefined, Promise.resolve(guess))
      expect(guessed, String(guess)).toEqual(plain)
    }
    // With a filter that leaves only 2025, a guess of 2026 is wrong and the patterns are read again for 2025.
    const only2025 = await loadAggregates(test.db, scope, spec(), { waves: ['2025'] })
    expect(only2025.keyDrivers?.wave).toBe('2025')
    expect(
      await loadAggregates(test.db, scope, spec(), { waves: ['2025'] }, undefined, Promise.resolve('2026')),
    ).toEqual(only2025)
  })

  it('reads the key-driver patterns as a scan does: values off the scale dropped, repeated patterns summed', async () => {
    // Scale 1–3: every 4 or 5 is off the scale, so many complete answer sets pack to nothing. Two variables of
    // seven: distinct stored patterns pack to the same pair, so loadAnswerPatterns must sum them.
    const spec3 = { scaleValues: [1, 2, 3] }
    const sorted = (p: AnswerPatterns) =>
      [...p.byWave].sort(([a], [b]) => (a < b ? -1 : 1)).map(([w, xs]) => [w, [...xs].sort((a, b) => a.pattern - b.pattern)])
    const scope = { organisationId, surveyId }
    const cases: Array<[AggregateFilters, string | undefined]> = [
      [{}, '2026'],
      [{}, undefined],
      [{ segments: { channel: ['phone', 'online'] } }, '2026'],
    ]
    for (const [filters, wave] of cases) {
      const read = await loadAnswerPatterns(test.db, scope, spec3, filters, ['overall', 'delivery'], wave)
      const scanned = await scanAnswerPatterns(test.db, scope, spec3, filters, ['overall', 'delivery'], wave)
      expect(sorted(read)).toEqual(sorted(scanned))
      expect(read.byWave.size).toBeGreaterThan(0)
      for (const patterns of read.byWave.values()) {
        expect(patterns.length).toBeGreaterThan(3)
        expect(new Set(patterns.map((x) => x.pattern)).size).toBe(patterns.length)
        expect(patterns.every((x) => x.pattern >= 0 && x.pattern < 9)).toBe(true)
      }
    }
  })

  it('applies wave, date and segment filters in SQL', async () => {
    const byWave = await loadAggregates(test.db, { organisationId, surveyId }, spec(), { waves: ['2025'] })
    expect(byWave.waves).toEqual(['2025'])
    expect(byWave.cells.reduce((a, c) => a + c.count, 0)).toBe(rows.filter((r) => r.wave === '2025').length)
    const phone = await loadAggregates(test.db, { organisationId, surveyId }, spec(), {
      segments: { channel: ['phone'] },
    })
    expect(phone.cells.reduce((a, c) => a + c.count, 0)).toBe(120)
    const dated = await countResponses(
      test.db,
      { organisationId, surveyId },
      { from: new Date(Date.UTC(2026, 0, 1)), to: new Date(Date.UTC(2026, 0, 11)) },
    )
    expect(dated.total).toBe(rows.filter((_, i) => i % 60 < 10).length)
  })

  it('sees nothing of another organisation', async () => {
    const foreign = await loadAggregates(test.db, { organisationId: otherOrganisationId, surveyId }, spec())
    expect(foreign.cells).toEqual([])
    expect(foreign.tallies).toEqual([])
    expect(await buildDashboard(test.db, otherOrganisationId, surveyId)).toBeNull()
  })

  it('flags low bases, hides small groups (never one of 50 or more), and sends no numbers for them', async () => {
    const d = (await buildDashboard(test.db, organisationId, surveyId, { weighted: false }))!
    const channel = (g: string) =>
      d.rows.find((r) => r.segment === 'channel' && r.group === g)!.cells.overall!
    expect(channel('phone').flag).toBe('ok')
    expect(channel('letter')).toMatchObject({
      suppressed: true,
      suppression: 'primary',
      n: null,
      p: null,
      lower: null,
      upper: null,
    })
    // a second group may be hidden only if it is under the low-base threshold (docs/decisions/013-disclosure-control.md)
    for (const row of d.rows)
      if (row.cells.overall!.suppressed && row.cells.overall!.suppression === 'secondary')
        expect(
          d.representativeness.find((r) => r.segment === row.segment && r.group === row.group)!.respondents ??
            0,
        ).toBeLessThan(50)
    expect(channel('online').flag).toBe('low_base')
    expect(channel('online').n).toBeGreaterThan(0)
    expect(channel('online').lower).toBeLessThan(channel('online').p!)
    const letterRep = d.representativeness.find((r) => r.segment === 'channel' && r.group === 'letter')!
    expect(letterRep).toMatchObject({ unreportable: true, respondents: null })
  })

  it('weights to the default population and reports the effective sample size and design effect', async () => {
    const d = (await buildDashboard(test.db, organisationId, surveyId, { weighted: true, confidence: 0.99 }))!
    expect(d.weightingProblem).toBeNull()
    expect(d.weighting?.converged).toBe(true)
    expect(d.weighting!.deff).toBeGreaterThanOrEqual(1)
    expect(d.weighting!.ess).toBeLessThanOrEqual(rows.length)
    const all = d.overall.cells.overall!
    expect(all.lower).toBeLessThan(all.p!)
    expect(all.upper).toBeGreaterThan(all.p!)
    const narrower = (await buildDashboard(test.db, organisationId, surveyId, {
      weighted: true,
      confidence: 0.9,
    }))!.overall.cells.overall!
    expect(narrower.upper! - narrower.lower!).toBeLessThan(all.upper! - all.lower!)
  })
})
