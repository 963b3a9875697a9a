import { readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'drizzle-orm'
import { parseCsv } from '#analysis/parse-csv.ts'
import { rowsOf } from '#db/client.ts'
import { createOrganisation } from '#db/queries/accounts.ts'
import { findPublishedSurveyBySlug } from '#db/queries/surveys.ts'
import { formatProblem, importClientId, runImport, type ImportPhase } from '#app/services/importer.server.ts'
import { createTestDatabase, installAsAppDatabase, preparePgliteDir, type TestDatabase } from '#tests/support/database.ts'

const FIXTURE = path.resolve('tests/fixtures/oracle-public')
const csvBytes = readFileSync(path.join(FIXTURE, 'responses.csv'))
const config = JSON.parse(readFileSync(path.join(FIXTURE, 'analysis.json'), 'utf8')) as Record<string, unknown>
const RATINGS = ['overall', 'delivery', 'timeliness', 'information', 'access', 'professionalism', 'staff_attitude']
const SEGMENTS = ['channel', 'service', 'age_band', 'gender', 'disability']

let test: TestDatabase
const ORG = 'import-test-council'

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  await createOrganisation(test.db, ORG, 'Import Test Council')
})
afterAll(async () => {
  await test.close()
})

/** Replace one cell (by 1-based spreadsheet row and column name) in the oracle CSV. */
function withCell(edits: Array<{ row: number; column: string; value: string }>): Uint8Array {
  const records = parseCsv(csvBytes.toString('utf8'))
  const header = records[0]!
  for (const e of edits) records[e.row - 1]![header.indexOf(e.column)] = e.value
  const field = (f: string) => (/[",\r\n]/.test(f) || f !== f.trim() ? `"${f.replace(/"/g, '""')}"` : f)
  return Buffer.from(records.map((r) => r.map(field).join(',')).join('\r\n') + '\r\n')
}

async function countFor(slug: string): Promise<number> {
  const rows = rowsOf<{ n: number }>(await test.db.execute(sql`select count(*)::int as n from responses r join surveys s on s.id = r.survey_id where s.slug = ${slug}`))
  return Number(rows[0]?.n ?? 0)
}

describe('importing the oracle file with --create', () => {
  it('creates the survey and stores 1800 responses whose wave, segments and answers match the CSV', async () => {
    const phases = new Set<ImportPhase>()
    const report = await runImport(test.db, { csv: csvBytes, config, slug: 'oracle', organisationSlug: ORG, create: true, onProgress: (p) => phases.add(p) })
    if (!report.ok) throw new Error(report.problems.map(formatProblem).join('\n'))
    expect(report).toMatchObject({ ok: true, created: true, rows: 1800, inserted: 1800, waves: ['2025', '2026'] })
    expect([...phases]).toEqual(expect.arrayContaining(['validating', 'writing', 'done']))

    const published = (await findPublishedSurveyBySlug(test.db, 'oracle'))!
    const metadata = published.version.metadata as { ratings: Record<string, { driver: string; coding: { satisfied: number[] } }>; segments: Array<{ question: string }> }
    expect(Object.keys(metadata.ratings).sort()).toEqual([...RATINGS].sort())
    expect(metadata.ratings.overall!.driver).toBe('overall')
    expect(metadata.ratings.delivery).toMatchObject({ driver: 'delivery', coding: { satisfied: [4, 5] } })
    expect(metadata.segments.map((s) => s.question)).toEqual(SEGMENTS)
    expect(published.survey.wave).toBe('2026')

    const stored = rowsOf<{ client_id: string; wave: string; answers: Record<string, unknown>; segments: Record<string, string>; source: string }>(
      await test.db.execute(sql`select client_id, wave, answers, segments, source from responses where survey_id = ${published.survey.id}`),
    )
    expect(stored).toHaveLength(1800)
    const byClient = new Map(stored.map((r) => [r.client_id, r]))
    const records = parseCsv(csvBytes.toString('utf8'))
    const header = records[0]!
    for (const record of records.slice(1)) {
      const cell = (c: string) => record[header.indexOf(c)]!
      const row = byClient.get(importClientId(published.survey.id, `id:${cell('respondent_id')}`))
      expect(row, cell('respondent_id')).toBeDefined()
      expect(row!.source).toBe('import')
      expect(row!.wave).toBe(cell('wave'))
      for (const s of SEGMENTS) expect(row!.segments[s]).toBe(cell(s))
      for (const r of RATINGS) expect(row!.answers[r]).toBe(cell(r) === '' ? undefined : Number(cell(r)))
      expect(row!.answers.comment).toBe(cell('comment') === '' ? undefined : cell('comment'))
    }
  })

  it('adds nothing when the same file is imported again into the survey', async () => {
    const report = await runImport(test.db, { csv: csvBytes, config, slug: 'oracle', organisationSlug: ORG })
    expect(report).toMatchObject({ ok: true, created: false, inserted: 0, skipped: 1800 })
    expect(await countFor('oracle')).toBe(1800)
  })
})

describe('a file with invalid rows imports nothing', () => {
  it('lists every problem by row and column and creates no survey', async () => {
    const csv = withCell([
      { row: 5, column: 'overall', value: '7' },
      { row: 9, column: 'timeliness', value: 'good' },
      { row: 12, column: 'wave', value: '' },
    ])
    const report = await runImport(test.db, { csv, config, slug: 'oracle-bad', organisationSlug: ORG, create: true })
    expect(report.ok).toBe(false)
    if (report.ok) return
    const where = report.problems.map((p) => `${p.row}:${p.column}`)
    expect(where).toEqual(expect.arrayContaining(['5:overall', '9:timeliness', '12:wave']))
    expect(report.problems).toHaveLength(3)
    expect(await findPublishedSurveyBySlug(test.db, 'oracle-bad')).toBeNull()
  })

  it('into an existing survey: one bad row among 1800 leaves the count unchanged', async () => {
    const csv = withCell([{ row: 1801, column: 'channel', value: 'carrier pigeon' }, { row: 3, column: 'respondent_id', value: 'P0004' }])
    const report = await runImport(test.db, { csv, config, slug: 'oracle', organisationSlug: ORG })
    expect(report.ok).toBe(false)
    if (report.ok) return
    expect(report.problems.map(formatProblem)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^row 1801, column channel: /), expect.stringMatching(/^row 5, column respondent_id: .*row 3/)]),
    )
    expect(await countFor('oracle')).toBe(1800)
  })

  it('reports columns the survey does not have, broken UTF-8 and malformed CSV', async () => {
    const extra = Buffer.from('respondent_id,wave,overall,shoe_size\r\nA1,2026,5,9\r\n')
    const r1 = await runImport(test.db, { csv: extra, config, slug: 'oracle', organisationSlug: ORG })
    expect(!r1.ok && r1.problems.map(formatProblem)).toEqual(['row 1, column shoe_size: This column is not a question or group of the survey'])
    const broken = Buffer.concat([Buffer.from('respondent_id,wave,comment\r\nB1,2026,caf'), Buffer.from([0xe9]), Buffer.from('\r\n')])
    const r2 = await runImport(test.db, { csv: broken, config, slug: 'oracle', organisationSlug: ORG })
    expect(!r2.ok && r2.problems.map(formatProblem)).toEqual([expect.stringMatching(/^row 2, column comment: .*UTF-8/)])
    const malformed = Buffer.from('respondent_id,wave\r\nC1,"2026\r\n')
    const r3 = await runImport(test.db, { csv: malformed, config, slug: 'oracle', organisationSlug: ORG })
    expect(!r3.ok && r3.problems[0]!.message).toMatch(/not valid CSV/)
  })
})

describe('npm run import (CLI)', () => {
  // Two CLI processes on one database (the first seeds the demo): give them the budget spawnSync allows each. The
  // CLI opens the suite's engine: this file's PostgreSQL database under test:pg, else a PGlite directory. (It used
  // to take PGlite under test:pg too, running the same 45–50 s as `npm test` again.)
  it('imports with a progress counter, and exits 1 listing row and column for a bad file', { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cse-import-cli-'))
    try {
      // Already migrated (the suite's image or this file's database); the first CLI process seeds the demo into it.
      const database = test.url ? { DATABASE_URL: test.url, PGLITE_DIR: '' } : { DATABASE_URL: '', PGLITE_DIR: path.join(dir, 'db') }
      if (!test.url) await preparePgliteDir(path.join(dir, 'db'))
      const bad = path.join(dir, 'bad.csv')
      writeFileSync(bad, withCell([{ row: 7, column: 'access', value: '0' }]))
      const env = { ...process.env, ...database, SEED_DEMO: 'true', LOG_LEVEL: 'silent' }
      const run = (csv: string) =>
        spawnSync(process.execPath, ['--import', 'tsx', 'cli/import.ts', '--csv', csv, '--config', path.join(FIXTURE, 'analysis.json'), '--survey', 'cli-oracle', '--create'], { env, encoding: 'utf8', timeout: 120_000 })
      const failed = run(bad)
      expect(failed.status, failed.stderr).toBe(1)
      expect(failed.stderr).toMatch(/Nothing was imported/)
      expect(failed.stderr).toMatch(/row 7, column access: /)
      const ok = run(path.join(FIXTURE, 'responses.csv'))
      expect(ok.status, ok.stderr).toBe(0)
      expect(ok.stderr).toMatch(/validating 1,800\/1,800/)
      expect(ok.stdout).toMatch(/Imported 1,800 responses into "cli-oracle" \(new survey\)/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
