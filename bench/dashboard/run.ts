/*
 * Times the dashboard request against real PostgreSQL on the maintained aggregates (issue 11): buildDashboard
 * (app/services/dashboard.server.ts, the whole page loader: loadInsight's reads of the aggregate tables, then
 * the insight engine analysis/insight-report.ts, then the reshaping for React), unweighted and weighted, on the
 * bench survey loaded by bench/dashboard/load.ts. In the same run and timed the same way, the floor:
 * `select count(*) from responses where organisation_id = … and survey_id = …`, the survey's responses.
 *
 *   npx tsx bench/dashboard/run.ts [--url postgres://postgres@127.0.0.1:5432/cse_bench] [--runs 5] [--profile]
 *     [--filters '{"from":"2026-01-01","to":"2026-04-01","segments":{"channel":["phone"]}}']
 *
 * One warm-up request of each kind first (not counted), then `--runs` rounds of count(*), unweighted,
 * weighted. Every query the pool sends is timed, so each request is split into SQL (wall time during which
 * at least one query was in flight; loadInsight runs several at once) and Node (the rest); and the request's Node
 * CPU time (process.cpuUsage, every thread of the process: parsing, the engine, garbage collection), which a
 * busy shared machine inflates far less than wall time. `--profile` adds a
 * CPU profile (node:inspector) of the counted requests and prints the inclusive Node time of the engine's main
 * functions, per request. `--filters` times the dashboard filtered (dates are whole UTC days; with a date
 * filter the reads go to response_day_cells). Prints one JSON line per request, then a table: median (min–max) of each.
 * Speed is never asserted anywhere; docs/benchmarks.md records the figures.
 */
import { Session } from 'node:inspector/promises'
import { performance } from 'node:perf_hooks'
import { sql } from 'drizzle-orm'
import type pg from 'pg'
import { buildDashboard } from '../../app/services/dashboard.server.ts'
import { openDatabase, rowsOf } from '../../db/client.ts'
import type { AggregateFilters } from '../../db/queries/aggregates.ts'
import { BENCH_ORG_SLUG, BENCH_SURVEY_SLUG } from './load.ts'

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name)
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback
}

const url = arg('--url', process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/cse_bench')
const runs = Number(arg('--runs', '5'))
const profile = process.argv.includes('--profile')
const rawFilters = JSON.parse(arg('--filters', '{}')) as { from?: string; to?: string; segments?: Record<string, string[]> }
const filters: AggregateFilters = {
  ...(rawFilters.from ? { from: new Date(`${rawFilters.from}T00:00:00Z`) } : {}),
  ...(rawFilters.to ? { to: new Date(`${rawFilters.to}T00:00:00Z`) } : {}),
  ...(rawFilters.segments ? { segments: rawFilters.segments } : {}),
}
const handle = await openDatabase({ url, poolMax: 4 })
const db = handle.db

// Time every query the pool runs: [start, end, first words of the SQL].
type Span = { start: number; end: number; text: string }
let spans: Span[] = []
const pool = (db as unknown as { $client: pg.Pool }).$client
const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>
;(pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = async (...args: unknown[]) => {
  const first = args[0]
  const text = typeof first === 'string' ? first : String((first as { text?: string } | undefined)?.text ?? '')
  const start = performance.now()
  try {
    return await query(...args)
  } finally {
    spans.push({ start, end: performance.now(), text: text.replace(/\s+/g, ' ').trim().slice(0, 90) })
  }
}
/** Wall time covered by at least one query (the union of the spans). */
function sqlWall(xs: Span[]): number {
  const sorted = [...xs].sort((a, b) => a.start - b.start)
  let total = 0
  let end = -Infinity
  for (const s of sorted) {
    if (s.end <= end) continue
    total += s.end - Math.max(s.start, end)
    end = s.end
  }
  return total
}

// As the server does at start: the bench database follows the schema of the code under test.
await handle.migrate()
const [survey] = rowsOf<{ id: string; organisationId: string }>(
  await db.execute(sql`select s.id, s.organisation_id as "organisationId" from surveys s
    join organisations o on o.id = s.organisation_id where o.slug = ${BENCH_ORG_SLUG} and s.slug = ${BENCH_SURVEY_SLUG}`),
)
if (!survey) throw new Error('run bench/dashboard/load.ts first')

async function countStar(): Promise<number> {
  const rows = rowsOf<{ n: string }>(
    await db.execute(
      sql`select count(*) as n from responses where organisation_id = ${survey!.organisationId}::uuid and survey_id = ${survey!.id}::uuid`,
    ),
  )
  return Number(rows[0]!.n)
}

type Kind = 'count' | 'unweighted' | 'weighted'
interface Sample {
  ms: number
  /** CPU time of the whole Node process during the request (process.cpuUsage: user + system, every thread) */
  cpuMs: number
  sqlMs: number
  queries: number
  slowest: Span | null
  spans: Span[]
}
const samples: Record<Kind, Sample[]> = { count: [], unweighted: [], weighted: [] }
let responses = 0
let shape = ''

async function once(kind: Kind): Promise<Sample> {
  spans = []
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  if (kind === 'count') responses = await countStar()
  else {
    const d = await buildDashboard(db, survey!.organisationId, survey!.id, { weighted: kind === 'weighted', filters })
    if (!d) throw new Error('buildDashboard returned null')
    if (d.options.weighted !== (kind === 'weighted')) throw new Error(`asked for ${kind}, got weighted=${d.options.weighted}`)
    shape = `${d.meta.ratings.length} measures × ${d.meta.segments.length} segments, ${d.rows.length} rows, ${d.fieldwork.length} waves`
  }
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const cpuMs = (cpu.user + cpu.system) / 1000
  const slowest = spans.reduce<Span | null>((a, s) => (!a || s.end - s.start > a.end - a.start ? s : a), null)
  return { ms, cpuMs, sqlMs: sqlWall(spans), queries: spans.length, slowest, spans }
}

// Warm-up (plans, caches, JIT of Node code): one of each, not counted.
for (const kind of ['count', 'unweighted', 'weighted'] as const) await once(kind)

const session = profile ? new Session() : null
if (session) {
  session.connect()
  await session.post('Profiler.enable')
  await session.post('Profiler.setSamplingInterval', { interval: 200 })
  await session.post('Profiler.start')
}
for (let i = 0; i < runs; i++) {
  for (const kind of ['count', 'unweighted', 'weighted'] as const) {
    const s = await once(kind)
    samples[kind].push(s)
    console.log(
      JSON.stringify({
        run: i + 1,
        kind,
        ms: +s.ms.toFixed(1),
        sql_ms: +s.sqlMs.toFixed(1),
        node_ms: +(s.ms - s.sqlMs).toFixed(1),
        node_cpu_ms: +s.cpuMs.toFixed(1),
        queries: s.queries,
        slowest_query: s.slowest ? { ms: +(s.slowest.end - s.slowest.start).toFixed(1), sql: s.slowest.text } : null,
      }),
    )
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const fmt = (x: number) => (x < 10 ? x.toFixed(1) : Math.round(x).toString())
const cell = (xs: number[]) => `${fmt(median(xs))} ms (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`
const goal = responses <= 100_000 ? null : responses <= 1_000_000 ? 150 : 300

console.log(
  `\nbench survey: ${responses.toLocaleString('en-GB')} responses; ${shape}; ${runs} runs after one warm-up` +
    (Object.keys(rawFilters).length > 0 ? `; filters ${JSON.stringify(rawFilters)} (count(*) is unfiltered)` : ''),
)
console.log(`\n| request | median (min–max) | of which SQL, median | Node, median | Node CPU, median (min–max) | queries |`)
console.log(`|---|---|---|---|---|---|`)
for (const kind of ['count', 'unweighted', 'weighted'] as const) {
  const xs = samples[kind]
  const label = kind === 'count' ? '`select count(*)` (floor)' : `buildDashboard, ${kind}`
  console.log(
    `| ${label} | ${cell(xs.map((s) => s.ms))} | ${fmt(median(xs.map((s) => s.sqlMs)))} ms | ${fmt(median(xs.map((s) => s.ms - s.sqlMs)))} ms | ${cell(xs.map((s) => s.cpuMs))} | ${xs[0]!.queries} |`,
  )
}
const worst = Math.max(median(samples.unweighted.map((s) => s.ms)), median(samples.weighted.map((s) => s.ms)))
console.log(
  goal === null
    ? `\ngoal: none at this size (issue 11 sets 150 ms at 1M and 300 ms at 10M); slowest median ${fmt(worst)} ms`
    : `\ngoal < ${goal} ms: ${worst < goal ? 'met' : 'NOT met'} (slowest median ${fmt(worst)} ms)`,
)

if (profile) {
  // Each query of the request, median over the runs, in the order they were sent (first run's order).
  for (const kind of ['unweighted', 'weighted'] as const) {
    console.log(`\nqueries of a ${kind} request, median ms (they overlap: loadInsight sends several at once):`)
    const texts = samples[kind][0]!.spans.map((s) => s.text)
    texts.forEach((text, i) => {
      const ms = median(samples[kind].map((x) => (x.spans[i] ? x.spans[i]!.end - x.spans[i]!.start : 0)))
      console.log(`  ${fmt(ms).padStart(6)}  ${text}`)
    })
  }
}
if (session) {
  const { profile: cpu } = await session.post('Profiler.stop')
  session.disconnect()
  // Inclusive time of a function = samples in it or below it; nested calls of the same name counted once.
  const watched = [
    'buildDashboard',
    'loadInsight',
    'loadAggregates',
    'aggregatesFromFinestCells',
    'pairTalliesFromPatterns',
    'buildInsightReport',
    'rake',
    'satisfactionTable',
    'publishTable',
    'reportTrends',
    'reportKeyDrivers',
    'keyDriverAnalysis',
  ]
  const nodes = new Map(cpu.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of cpu.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const deltas = cpu.timeDeltas ?? []
  const inclusive = new Map<string, number>(watched.map((w) => [w, 0]))
  const self = new Map<string, number>()
  for (let i = 0; i < (cpu.samples ?? []).length; i++) {
    const dt = (deltas[i + 1] ?? 0) / 1000
    let id: number | undefined = cpu.samples![i]!
    const leaf = nodes.get(id)!.callFrame
    const leafName = `${leaf.functionName || '(anonymous)'} ${leaf.url.split('/').slice(-2).join('/')}:${leaf.lineNumber + 1}`
    self.set(leafName, (self.get(leafName) ?? 0) + dt)
    const seen = new Set<string>()
    while (id !== undefined) {
      const name = nodes.get(id)!.callFrame.functionName
      if (inclusive.has(name) && !seen.has(name)) {
        seen.add(name)
        inclusive.set(name, inclusive.get(name)! + dt)
      }
      id = parent.get(id)
    }
  }
  const requests = runs * 2
  console.log(`\nCPU profile of the ${requests} counted dashboard requests (Node main thread), inclusive ms per request:`)
  for (const [name, ms] of inclusive) if (ms > 0) console.log(`  ${name.padEnd(28)} ${(ms / requests).toFixed(1)}`)
  console.log(`top self time, ms per request:`)
  for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`  ${(ms / requests).toFixed(1).padStart(7)}  ${name}`)
}
await handle.close()
