/**
 * npm run aggregates:rebuild [-- --org SLUG] [--check]
 *
 * Rebuilds the aggregates kept as responses arrive (docs/decisions/009-maintained-aggregates.md) from the
 * responses themselves, for one organisation (`--org SLUG`) or all. Opens the database the server would open
 * (DATABASE_URL for PostgreSQL, else PGlite in PGLITE_DIR; an optional .env is read as server/start.ts does) and
 * applies the migrations first. Writes to `responses` wait while it runs (rebuildAggregates in
 * db/queries/aggregates-maintenance.ts); reads carry on. `--check` folds the responses still queued (as every
 * read does, db/queries/aggregate-queue.ts), then compares each survey's responses with the totals of the
 * aggregate tables and the key-driver pairs with a recount (checkDriverPairs), and rebuilds nothing.
 * Exit code 0 = rebuilt (or, with --check, consistent), 1 = failed or inconsistent.
 */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { getEnv } from '#app/env.server.ts'
import { openDatabase } from '#db/client.ts'
import { findOrganisationBySlug } from '#db/queries/accounts.ts'
import { checkAggregateTotals, checkDriverPairs, rebuildAggregates } from '#db/queries/aggregates-maintenance.ts'

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { org: { type: 'string' }, check: { type: 'boolean', default: false } } })
  const envFile = path.join(process.cwd(), '.env')
  if (existsSync(envFile)) process.loadEnvFile(envFile)
  const env = getEnv()
  const handle = await openDatabase({ url: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR, poolMax: 2 })
  try {
    await handle.migrate()
    let organisationId: string | null = null
    if (values.org !== undefined) {
      const organisation = await findOrganisationBySlug(handle.db, values.org)
      if (!organisation) {
        console.error(`aggregates:rebuild: no organisation with slug "${values.org}"`)
        return 1
      }
      organisationId = organisation.id
    }
    const scope = values.org ? `organisation "${values.org}"` : 'every organisation'
    if (!values.check) {
      const started = performance.now()
      const counted = await rebuildAggregates(handle.db, organisationId)
      console.log(`Rebuilt the aggregates of ${scope}: ${counted.toLocaleString('en-GB')} responses in ${((performance.now() - started) / 1000).toFixed(1)} s.`)
    }
    const mismatches = await checkAggregateTotals(handle.db, organisationId)
    for (const m of mismatches)
      console.error(`survey ${m.surveyId}: ${m.responses} responses, aggregate tables hold ${m.tables.join(' / ')}`)
    // The key-driver pairs of every registered set, against a recount from the answer patterns (rolled back).
    const pairs = await checkDriverPairs(handle.db, organisationId)
    for (const p of pairs)
      console.error(`survey ${p.surveyId}: key-driver set ${p.driverSet} differs from a recount (${p.kept} rows kept, ${p.recounted} recounted)`)
    if (mismatches.length > 0 || pairs.length > 0) {
      const inconsistent = new Set([...mismatches.map((m) => m.surveyId), ...pairs.map((p) => p.surveyId)]).size
      console.error(`aggregates:rebuild: ${inconsistent} survey(s) inconsistent${values.check ? '; run without --check to rebuild' : ''}`)
      return 1
    }
    console.log(`Aggregates of ${scope} match the responses, survey by survey, and the key-driver pairs match a recount.`)
    return 0
  } finally {
    await handle.close()
  }
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error(`aggregates:rebuild failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  },
)
