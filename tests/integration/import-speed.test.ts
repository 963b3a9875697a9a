import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOrganisation } from '#db/queries/accounts.ts'
import { countResponses } from '#db/queries/responses.ts'
import { formatProblem, runImport } from '#app/services/importer.server.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { syntheticImportCsv } from '../../bench/ingest/synthetic-csv.ts'

// The 100,000-row target is for real PostgreSQL (the `pg` project); on in-memory PGlite a smaller file just
// checks that big batches work.
const onPostgres = Boolean(process.env.TEST_DATABASE_URL)
const ROWS = onPostgres ? 100_000 : 10_000

let test: TestDatabase
beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  await createOrganisation(test.db, 'speed-council', 'Speed Council')
})
afterAll(async () => {
  await test.close()
})

describe(`importing ${ROWS.toLocaleString('en-GB')} rows`, () => {
  it(onPostgres ? 'takes under 30 s on PostgreSQL' : 'works in multi-row batches', { timeout: 120_000 }, async () => {
    const source = readFileSync(path.resolve('tests/fixtures/oracle-public/responses.csv'))
    const config = JSON.parse(readFileSync(path.resolve('tests/fixtures/oracle-public/analysis.json'), 'utf8')) as unknown
    const csv = syntheticImportCsv(source, ROWS)
    const started = performance.now()
    const report = await runImport(test.db, { csv, config, slug: 'speed', organisationSlug: 'speed-council', create: true })
    const seconds = (performance.now() - started) / 1000
    if (!report.ok) throw new Error(report.problems.slice(0, 5).map(formatProblem).join('\n'))
    expect(report.inserted).toBe(ROWS)
    expect(await countResponses(test.db, (await import('#db/queries/surveys.ts').then((m) => m.findPublishedSurveyBySlug(test.db, 'speed')))!.survey.organisationId, report.surveyId)).toBe(ROWS)
    console.log(`import of ${ROWS} rows on ${test.driver}: ${seconds.toFixed(1)} s`)
    if (onPostgres) expect(seconds).toBeLessThan(30)
  })
})
