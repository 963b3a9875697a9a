import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createOrganisation } from '#db/queries/accounts.ts'
import { countResponses } from '#db/queries/responses.ts'
import { formatProblem, runImport } from '#app/services/importer.server.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { syntheticImportCsv } from '../../bench/ingest/synthetic-csv.ts'

// Correctness of a large import in multi-row batches (several 5,000-row batches on both drivers). How fast it
// is gets measured by bench/import/run.ts, never asserted here (docs/benchmarks.md).
const ROWS = 20_000

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
  it('stores every row, in multi-row batches', { timeout: 300_000 }, async () => {
    const source = readFileSync(path.resolve('tests/fixtures/oracle-public/responses.csv'))
    const config = JSON.parse(readFileSync(path.resolve('tests/fixtures/oracle-public/analysis.json'), 'utf8')) as unknown
    const csv = syntheticImportCsv(source, ROWS)
    const report = await runImport(test.db, { csv, config, slug: 'speed', organisationSlug: 'speed-council', create: true })
    if (!report.ok) throw new Error(report.problems.slice(0, 5).map(formatProblem).join('\n'))
    expect(report.inserted).toBe(ROWS)
    expect(await countResponses(test.db, (await import('#db/queries/surveys.ts').then((m) => m.findPublishedSurveyBySlug(test.db, 'speed')))!.survey.organisationId, report.surveyId)).toBe(ROWS)
  })
})
