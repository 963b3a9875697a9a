/**
 * Ingest benchmark: an open-model load (fixed arrival rate, not closed-loop) against the built production
 * server on real PostgreSQL, over loopback. Run: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
 *   npx tsx bench/ingest/run.ts [--rate 400] [--seconds 60] [--steps 200,400,600,800,1000,1200] [--step-seconds 10]
 *   [--aggregates on|off] [--driver-sets on|off] [--answers fixed|varied] [--skip-page]
 *   (BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server; BENCH_LOG_LEVEL sets its LOG_LEVEL)
 * `--aggregates` (docs/decisions/009-maintained-aggregates.md): `on` (default) is the product as shipped: each
 * submission appends its response to the aggregate queue (db/migrations/0012_aggregate_queue.sql) and the
 * server's folder counts the queue every second; the bench samples the queue's length every second and, at the
 * end, checks every aggregate total against the responses. `--driver-sets on` (default) first opens the demo
 * survey's dashboard, as a survey in use has been, which registers its key-driver set (the folder then keeps its
 * pairs too: db/migrations/0013_driver_pairs.sql); at the end the kept pairs are compared with a recount. `--aggregates off` disables the triggers on `responses`: the write
 * path as it was before aggregates were kept (the folder then finds nothing to fold). `--answers varied` draws ratings and the channel at random instead of
 * sending the same answers each time (which puts every write on the same aggregate rows, the worst case).
 * Latency is measured from each request's scheduled send time, so a stalled server cannot hide its queue
 * (no coordinated omission). Also measures the respondent page's JavaScript and its time to interactive in
 * headless chromium with 4x CPU throttling.
 * Per request, over the sustained run: the server process's CPU time (Linux /proc/<pid>/stat, user + system) and
 * the database's committed transactions (pg_stat_database.xact_commit; each autocommitted statement is one), both
 * divided by the submissions accepted, so a change in Node work or in round trips per submission shows directly.
 */
import { randomUUID } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import http from 'node:http'
import pg from 'pg'
import { openDatabase } from '../../db/client.ts'
import { checkAggregateTotals } from '../../db/queries/aggregates-maintenance.ts'
import { buildDashboard } from '../../app/services/dashboard.server.ts'
import { launchBrowser } from '../../tests/support/browser.ts'
import { startTestServer, type TestServer } from '../../tests/support/server.ts'

// Plain node:http with keep-alive: no dependency beyond Node, and sockets are reused as browsers would.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })

function post(base: string, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base)
    const request = http.request(
      { host: '127.0.0.1', port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
        response.on('error', reject)
      },
    )
    // A hard deadline from the start (queueing in the agent included): a slow server shows as timeouts.
    const deadline = setTimeout(() => request.destroy(new Error('timeout (10 s)')), 10_000)
    request.on('close', () => clearTimeout(deadline))
    request.on('error', reject)
    request.end(body)
  })
}

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '400' },
    seconds: { type: 'string', default: '60' },
    steps: { type: 'string', default: '300,500,700,900,1100,1300' },
    'step-seconds': { type: 'string', default: '10' },
    aggregates: { type: 'string', default: 'on' },
    'driver-sets': { type: 'string', default: 'on' },
    answers: { type: 'string', default: 'fixed' },
    'skip-page': { type: 'boolean', default: false },
  },
})

const ANSWERS = { overall: 5, delivery: 4, timeliness: 3, information: 5, access: 4, professionalism: 5, staff_attitude: 4, improve: 'Answer the phone sooner, please.' }
const CHANNELS = ['phone', 'online', 'in_person', 'letter']

function submission(): string {
  if (values.answers !== 'varied') return JSON.stringify({ id: randomUUID(), answers: ANSWERS, segments: { channel: 'online' } })
  const rating = () => 1 + Math.floor(Math.random() * 5)
  const answers = { overall: rating(), delivery: rating(), timeliness: rating(), information: rating(), access: rating(), professionalism: rating(), staff_attitude: rating(), improve: 'Answer the phone sooner, please.' }
  return JSON.stringify({ id: randomUUID(), answers, segments: { channel: CHANNELS[Math.floor(Math.random() * CHANNELS.length)]! } })
}

interface RunResult {
  rate: number
  seconds: number
  sent: number
  ok: number
  errors: Record<string, number>
  throughput: number
  p50: number
  p99: number
  max: number
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

async function openLoad(base: string, rate: number, seconds: number): Promise<RunResult> {
  const total = Math.round(rate * seconds)
  const latencies: number[] = []
  const errors: Record<string, number> = {}
  let ok = 0
  const start = performance.now() + 50
  const pending: Promise<void>[] = []
  for (let i = 0; i < total; i++) {
    const scheduled = start + (i * 1000) / rate
    const delay = scheduled - performance.now()
    if (delay > 1) await new Promise((r) => setTimeout(r, delay))
    pending.push(
      post(base, '/api/v1/surveys/demo/responses', submission()).then(
        (status) => {
          latencies.push(performance.now() - scheduled)
          if (status === 201) ok++
          else errors[String(status)] = (errors[String(status)] ?? 0) + 1
        },
        (error: Error) => {
          latencies.push(performance.now() - scheduled)
          errors[error.message] = (errors[error.message] ?? 0) + 1
        },
      ),
    )
  }
  await Promise.all(pending)
  const elapsed = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  return { rate, seconds, sent: total, ok, errors, throughput: ok / elapsed, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies.at(-1) ?? NaN }
}

/** The server process's CPU time so far in ms (user + system), or NaN off Linux. */
function processCpuMs(pid: number | undefined): number {
  try {
    // Fields after the command name (which may hold spaces, so split after its closing parenthesis): utime is the
    // 14th field of the line, stime the 15th, in clock ticks (100 a second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return NaN
  }
}

/** Committed transactions in the server's database so far (the statistics collector's count). */
async function committedTransactions(admin: pg.Client): Promise<number> {
  // Statistics reach pg_stat_database when a backend goes idle (at most every second or so in PostgreSQL 15).
  await new Promise((r) => setTimeout(r, 1_500))
  await admin.query('select pg_stat_clear_snapshot()')
  const row = (await admin.query<{ n: string }>('select xact_commit as n from pg_stat_database where datname = current_database()')).rows[0]
  return Number(row?.n ?? NaN)
}

async function pageWeightAndTti(server: TestServer) {
  const browser = await launchBrowser()
  try {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 } })
    const page = await context.newPage()
    const scripts = new Map<string, Buffer>()
    page.on('response', async (response) => {
      if (/\.m?js(\?|$)/.test(response.url())) scripts.set(response.url(), await response.body().catch(() => Buffer.alloc(0)))
    })
    const cdp = await context.newCDPSession(page)
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 })
    const runs: Array<{ formVisible: number; interactive: number }> = []
    for (let i = 0; i < 3; i++) {
      await cdp.send('Network.clearBrowserCache').catch(() => undefined)
      const t0 = Date.now()
      await page.goto(`${server.url}/s/demo`, { waitUntil: 'domcontentloaded' })
      const formVisible = Date.now() - t0
      // Interactive: SurveyJS has rendered its first question and answers input.
      await page.waitForSelector('.sd-root-modern input[type=radio]', { timeout: 60_000 })
      runs.push({ formVisible, interactive: Date.now() - t0 })
    }
    let raw = 0
    let gzip = 0
    for (const body of scripts.values()) {
      raw += body.length
      gzip += gzipSync(body, { level: 6 }).length
    }
    const encoding = (await fetch(`${server.url}${[...scripts.keys()][0] ? new URL([...scripts.keys()][0]!).pathname : '/'}`, { headers: { 'Accept-Encoding': 'gzip' } })).headers.get('content-encoding')
    return { scripts: scripts.size, raw, gzip, serverEncoding: encoding ?? 'none', runs }
  } finally {
    await browser.close()
  }
}

async function main() {
  if (!process.env.TEST_DATABASE_URL) throw new Error('Set TEST_DATABASE_URL to a PostgreSQL server (the benchmark is for real PostgreSQL).')
  const server = await startTestServer({
    // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": a CPU profile of the server, written at its exit.
    nodeArgs: process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean),
    env: { RATE_LIMIT_CLIENT_PER_MINUTE: '100000000', RATE_LIMIT_SURVEY_PER_SECOND: '100000000', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', DATABASE_POOL_MAX: '20' },
  })
  server.process.on('exit', (code, signal) => {
    console.error(`server exited (${code ?? signal}); log in /tmp/ingest-server.log`)
    writeFileSync('/tmp/ingest-server.log', server.logs())
  })
  const admin = new pg.Client({ connectionString: server.databaseUrl })
  await admin.connect()
  if (values.aggregates !== 'on') await admin.query('alter table responses disable trigger user')
  // How far the server's folder lags: the queue's length, sampled every second.
  const queue = { samples: [] as number[], timer: undefined as NodeJS.Timeout | undefined }
  if (values.aggregates === 'on') {
    const sample = async () => {
      const result = await admin.query<{ n: string }>('select count(*) as n from response_aggregate_queue')
      queue.samples.push(Number(result.rows[0]?.n ?? 0))
    }
    const loop = () => {
      queue.timer = setTimeout(() => void sample().then(loop, (error: unknown) => console.error('queue sample failed', error)), 1000)
    }
    loop()
  }
  // As in use, where the survey's dashboard has been opened: its key-driver set is registered, so the folder
  // keeps that set's pairs too (db/migrations/0013_driver_pairs.sql).
  if (values.aggregates === 'on' && values['driver-sets'] === 'on') {
    const reader = await openDatabase({ url: server.databaseUrl, poolMax: 2 })
    try {
      const survey = (await admin.query<{ id: string; organisation_id: string }>("select id, organisation_id from surveys where slug = 'demo'")).rows[0]
      if (!survey || !(await buildDashboard(reader.db, survey.organisation_id, survey.id))) throw new Error('no demo survey to open')
    } finally {
      await reader.close()
    }
  }
  try {
    console.log(`aggregates: ${values.aggregates}, answers: ${values.answers}, key-driver sets: ${(await admin.query('select count(*) as n from response_driver_sets')).rows[0].n}`)
    console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${new Date().toISOString()}`)
    await openLoad(server.url, 100, 3) // warm-up
    const cpuBefore = processCpuMs(server.process.pid)
    const xactBefore = await committedTransactions(admin)
    const main = await openLoad(server.url, Number(values.rate), Number(values.seconds))
    const cpuMs = processCpuMs(server.process.pid) - cpuBefore
    // The admin connection's own two statements are transactions too; they are subtracted. Background work (the
    // server's aggregate folder and job queue, the queue sampling above) is counted: a few transactions a second.
    const transactions = (await committedTransactions(admin)) - xactBefore - 2
    console.log('sustained', JSON.stringify(main))
    console.log(
      `per accepted submission: server CPU ${(cpuMs / main.ok).toFixed(2)} ms (${Math.round(cpuMs)} ms in all), ` +
        `${(transactions / main.ok).toFixed(2)} database transactions (${transactions} in all)`,
    )
    const steps: RunResult[] = []
    for (const rate of values.steps.split(',').map(Number)) {
      const step = await openLoad(server.url, rate, Number(values['step-seconds']))
      steps.push(step)
      console.log('step', JSON.stringify(step))
      if (step.p99 > 1000) break
      await new Promise((r) => setTimeout(r, 8_000)) // let any backlog drain before the next step
    }
    const page = values['skip-page'] ? null : await pageWeightAndTti(server)
    if (page) console.log('page', JSON.stringify(page))
    const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`)
    const row = (label: string, r: RunResult) =>
      `| ${label} | ${r.rate}/s | ${r.ok.toLocaleString('en-GB')} of ${r.sent.toLocaleString('en-GB')} | ${Math.round(r.throughput)}/s | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.max)} | ${Object.entries(r.errors).map(([k, n]) => `${n} ${k}`).join(', ') || 'none'} |`
    console.log('\n| run | offered | accepted | throughput | p50 | p99 | max | errors |')
    console.log('|---|---:|---:|---:|---:|---:|---:|---|')
    console.log(row(`sustained ${main.seconds} s`, main))
    for (const step of steps) console.log(row(`step ${step.seconds} s`, step))
    const passes = steps.find((s) => s.p99 > 1000)
    console.log(`\ntarget (>= 400/s for 60 s, p99 < 250 ms, no errors): ${main.rate >= 400 && main.seconds >= 60 && main.p99 < 250 && main.ok === main.sent ? 'met' : 'NOT met'}`)
    console.log(`p99 passes 1 s: ${passes ? `at ${passes.rate}/s` : 'not within the steps run'}`)
    if (page) {
      console.log(`respondent page JavaScript: ${page.raw.toLocaleString('en-GB')} bytes raw, ${page.gzip.toLocaleString('en-GB')} bytes gzip (served ${page.serverEncoding})`)
      console.log(`time to interactive, 4x CPU throttling: ${page.runs.map((r) => `${r.interactive} ms`).join(', ')} (first cold)`)
    }
    if (values.aggregates === 'on') {
      if (queue.timer) clearTimeout(queue.timer)
      const sorted = [...queue.samples].sort((a, b) => a - b)
      console.log(`aggregate queue, sampled every second: median ${quantile(sorted, 0.5)}, max ${sorted.at(-1) ?? 0} responses waiting`)
      const check = await openDatabase({ url: server.databaseUrl, poolMax: 1 })
      const mismatches = await checkAggregateTotals(check.db, null).finally(() => check.close())
      console.log(`aggregates after the run: ${mismatches.length === 0 ? 'every total equals the responses' : `MISMATCH ${JSON.stringify(mismatches)}`}`)
      // The key-driver pairs the folder kept, against a recount from the answer patterns.
      const pairs = 'select organisation_id, survey_id, driver_set, wave, x, y, x_value, y_value, responses from response_driver_pairs order by 1, 2, 3, 4, 5, 6, 7, 8'
      const kept = JSON.stringify((await admin.query(pairs)).rows)
      await admin.query('select cse_driver_sets_refill(null)')
      const recounted = JSON.stringify((await admin.query(pairs)).rows)
      console.log(`key-driver pairs after the run: ${kept === recounted ? 'equal a recount' : 'MISMATCH with a recount'} (${(await admin.query(pairs)).rowCount} rows)`)
    }
  } finally {
    if (queue.timer) clearTimeout(queue.timer)
    await admin.end()
    await server.stop()
  }
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
