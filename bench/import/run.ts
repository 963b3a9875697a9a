/**
 * Import speed: a synthetic CSV of N rows (the public oracle's rows cycled with new ids, see
 * bench/ingest/synthetic-csv.ts) imported with `--create` into a fresh database, beside `select count(*)`
 * over the imported rows in the same run. Prints a table; figures go to docs/benchmarks.md. Speed is
 * measured here, never asserted in tests (tests/integration/import-large.test.ts checks only correctness).
 *
 *   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/import/run.ts --rows 100000 --runs 3
 *
 * Without TEST_DATABASE_URL it runs on in-memory PGlite.
 */
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'drizzle-orm'
import { createOrganisation } from '#db/queries/accounts.ts'
import { foldAllQueuedResponses } from '#db/queries/aggregate-queue.ts'
import { formatProblem, runImport } from '#app/services/importer.server.ts'
import { createTestDatabase, installAsAppDatabase } from '#tests/support/database.ts'
import { syntheticImportCsv } from '../ingest/synthetic-csv.ts'

const { values } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, runs: { type: 'string', default: '3' } } })
const rows = Number(values.rows)
const runs = Number(values.runs)
if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(runs) || runs < 1) throw new Error('bench/import: --rows and --runs must be positive integers')

const source = readFileSync(path.resolve('tests/fixtures/oracle-public/responses.csv'))
const config = JSON.parse(readFileSync(path.resolve('tests/fixtures/oracle-public/analysis.json'), 'utf8')) as unknown
const csv = syntheticImportCsv(source, rows)
const results: Array<{ run: number; driver: string; importSeconds: number; foldSeconds: number; countMs: number }> = []
for (let run = 1; run <= runs; run++) {
  const test = await createTestDatabase()
  installAsAppDatabase(test)
  await createOrganisation(test.db, 'bench-council', 'Bench Council')
  const started = performance.now()
  const report = await runImport(test.db, { csv, config, slug: 'bench', organisationSlug: 'bench-council', create: true })
  const importSeconds = (performance.now() - started) / 1000
  if (!report.ok) throw new Error(report.problems.slice(0, 5).map(formatProblem).join('\n'))
  // Since migration 0012 the import only queues its rows for the aggregates; counting them in is the fold's
  // work (the server's folder, or the first read), timed here apart.
  const foldStarted = performance.now()
  await foldAllQueuedResponses(test.db)
  const foldSeconds = (performance.now() - foldStarted) / 1000
  const countStarted = performance.now()
  await test.db.execute(sql`select count(*) from responses`)
  const countMs = performance.now() - countStarted
  results.push({ run, driver: test.driver, importSeconds, foldSeconds, countMs })
  await test.close()
}
const sorted = results.map((r) => r.importSeconds).sort((a, b) => a - b)
console.log(`import of ${rows} rows, ${runs} runs, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${new Date().toISOString()}`)
console.log('| run | driver | import (s) | rows/s | then the fold (s) | count(*) (ms) |')
console.log('|---|---|---|---|---|---|')
for (const r of results) console.log(`| ${r.run} | ${r.driver} | ${r.importSeconds.toFixed(1)} | ${Math.round(rows / r.importSeconds)} | ${r.foldSeconds.toFixed(1)} | ${r.countMs.toFixed(1)} |`)
console.log(`median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} s, range ${sorted[0]!.toFixed(1)}–${sorted.at(-1)!.toFixed(1)} s`)
