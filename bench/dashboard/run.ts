/*
 * Times the dashboard's full weighted table against real PostgreSQL: buildDashboard (the function the page
 * calls) with weighting on — 7 measures × 5 segments, raked standard errors, group tests, plus
 * representativeness, key drivers and trends — on the bench survey loaded by bench/dashboard/load.ts.
 *
 *   npx tsx bench/dashboard/run.ts [--url postgres://postgres@127.0.0.1:5432/cse_bench] [--runs 5]
 *
 * Prints one JSON line per run and a summary (median) with the response count.
 */
import { performance } from 'node:perf_hooks'
import { eq, sql } from 'drizzle-orm'
import { buildDashboard } from '../../app/services/dashboard.server.ts'
import { openDatabase, rowsOf } from '../../db/client.ts'
import { surveys } from '../../db/schema.ts'
import { BENCH_SURVEY_SLUG } from './load.ts'

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name)
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

const url = arg('--url', process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/cse_bench')
const runs = Number(arg('--runs', '5'))
const handle = await openDatabase({ url, poolMax: 4 })
const [survey] = await handle.db.select().from(surveys).where(eq(surveys.slug, BENCH_SURVEY_SLUG))
if (!survey) throw new Error('run bench/dashboard/load.ts first')
const n = Number(rowsOf<{ n: string }>(await handle.db.execute(sql`select count(*) as n from responses where survey_id = ${survey.id}`))[0]!.n)
const times: Record<string, number[]> = { unweighted: [], weighted: [] }
for (let i = 0; i < runs; i++) {
  for (const weighted of [false, true]) {
    const t0 = performance.now()
    const d = await buildDashboard(handle.db, survey.organisationId, survey.id, { weighted })
    const ms = performance.now() - t0
    times[weighted ? 'weighted' : 'unweighted']!.push(ms)
    console.log(JSON.stringify({ run: i + 1, weighted, ms: Math.round(ms), measures: d?.ratings.length, segments: d?.segments.length, ess: d?.weighting?.ess ?? null }))
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(JSON.stringify({ responses: n, median_ms_unweighted: Math.round(median(times.unweighted!)), median_ms_weighted: Math.round(median(times.weighted!)) }))
const target = n <= 100_000 ? 300 : n <= 1_000_000 ? 1500 : null
const cell = (xs: number[]) => `${Math.round(median(xs))} ms (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`
console.log(`\n| responses | unweighted, median (range) | weighted, median (range) | target |`)
console.log(`|---|---|---|---|`)
console.log(`| ${n.toLocaleString('en-GB')} | ${cell(times.unweighted!)} | ${cell(times.weighted!)} | ${target ? `< ${target} ms` : '—'} |`)
if (target) {
  const worst = Math.max(median(times.unweighted!), median(times.weighted!))
  console.log(`\ntarget: ${worst < target ? 'met' : `NOT met (slowest median ${(worst / target).toFixed(2)}× the target)`}`)
}
await handle.close()
