import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { createFreshPostgresDatabase, freePort, startTestServer, type TestServer } from '#tests/support/server.ts'

/**
 * Nothing acknowledged is lost, nothing retried is doubled, and a database restart is survived — against the
 * real production server on real PostgreSQL (TEST_DATABASE_URL), over loopback, with a few seconds of load.
 */

const adminUrl = process.env.TEST_DATABASE_URL
const ANSWERS = { overall: 5, delivery: 4, timeliness: 3, information: 5, access: 4, professionalism: 5, staff_attitude: 4 }
const LIMITS = { RATE_LIMIT_CLIENT_PER_MINUTE: '1000000', RATE_LIMIT_SURVEY_PER_SECOND: '1000000', LOG_LEVEL: 'warn' }

interface Outcome {
  id: string
  status: number | 'network'
  receipt?: string
  retryAfter?: string | null
}

async function submit(base: string, id: string): Promise<Outcome> {
  try {
    const response = await fetch(`${base}/api/v1/surveys/demo/responses`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ id, answers: ANSWERS, segments: { channel: 'online' } }),
      signal: AbortSignal.timeout(10_000),
    })
    const body = (await response.json().catch(() => ({}))) as { receipt?: string }
    return { id, status: response.status, receipt: body.receipt, retryAfter: response.headers.get('Retry-After') }
  } catch (error) {
    if (process.env.DEBUG_RELIABILITY) console.log('network', String((error as Error).cause ?? error))
    return { id, status: 'network' }
  }
}

/** `workers` clients sending one after another until `until()` says stop. */
async function load(base: () => string, workers: number, until: () => boolean, outcomes: Outcome[]): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (!until()) {
        outcomes.push(await submit(base(), randomUUID()))
        if (outcomes.at(-1)!.status === 'network') await new Promise((r) => setTimeout(r, 50))
      }
    }),
  )
}

async function storedReceipts(databaseUrl: string, ids: string[]): Promise<Map<string, string[]>> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const result = await client.query<{ client_id: string; receipt: string }>('select client_id, receipt from responses where client_id = any($1::uuid[])', [ids])
    const map = new Map<string, string[]>()
    for (const row of result.rows) map.set(row.client_id, [...(map.get(row.client_id) ?? []), row.receipt])
    return map
  } finally {
    await client.end()
  }
}

describe.skipIf(!adminUrl)('reliability on PostgreSQL', () => {
  let database: { url: string; drop(): Promise<void> }
  let server: TestServer | undefined

  beforeAll(async () => {
    database = await createFreshPostgresDatabase(adminUrl!)
  })
  afterAll(async () => {
    await server?.stop()
    await database?.drop()
  })

  it('SIGKILL during load: every acknowledged receipt is stored, and retries after restart add no duplicates', async () => {
    const port = await freePort()
    server = await startTestServer({ databaseUrl: database.url, port, env: LIMITS })
    // Warm up (first requests compile survey descriptors and open pool connections), then load.
    await Promise.all(Array.from({ length: 8 }, () => submit(server!.url, randomUUID())))
    const outcomes: Outcome[] = []
    let stop = false
    const running = load(() => server!.url, 16, () => stop, outcomes)
    const loadStart = Date.now()
    while (outcomes.filter((o) => o.status === 201).length < 30 && Date.now() - loadStart < 20_000) await new Promise((r) => setTimeout(r, 50))
    await server.kill()
    await new Promise((r) => setTimeout(r, 300))
    stop = true
    await running

    const acknowledged = outcomes.filter((o) => (o.status === 201 || o.status === 200) && o.receipt)
    expect(acknowledged.length).toBeGreaterThanOrEqual(30)
    expect(outcomes.some((o) => o.status === 'network')).toBe(true) // the crash really cut requests off
    const ids = [...new Set(outcomes.map((o) => o.id))]
    const afterCrash = await storedReceipts(database.url, ids)
    for (const o of acknowledged) expect(afterCrash.get(o.id), `acknowledged ${o.id}`).toEqual([o.receipt])

    // Restart on the same database; every client retries everything it sent, with the same ids.
    server = await startTestServer({ databaseUrl: database.url, port, env: LIMITS })
    const retries = await Promise.all(ids.map((id) => submit(server!.url, id)))
    expect(retries.every((r) => r.status === 200 || r.status === 201)).toBe(true)
    const byId = new Map(retries.map((r) => [r.id, r]))
    for (const o of acknowledged) expect(byId.get(o.id)!.receipt).toBe(o.receipt)
    const final = await storedReceipts(database.url, ids)
    expect(final.size).toBe(ids.length)
    for (const receipts of final.values()) expect(receipts).toHaveLength(1)
  })

  it('PostgreSQL restart during load: 503 with Retry-After while down, recovery without an app restart', async () => {
    server ??= await startTestServer({ databaseUrl: database.url, env: LIMITS })
    const outcomes: Outcome[] = []
    let stop = false
    const running = load(() => server!.url, 8, () => stop, outcomes)
    await new Promise((r) => setTimeout(r, 1_000))
    const before = outcomes.length
    // Asynchronously, so the load keeps running while PostgreSQL is down.
    await promisify(execFile)('pg_ctlcluster', ['--skip-systemctl-redirect', '15', 'main', 'restart'], { timeout: 60_000 })
    // Keep the load on until the app has answered 201 again for a while.
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline && outcomes.slice(before).filter((o) => o.status === 201).length < 50) await new Promise((r) => setTimeout(r, 100))
    stop = true
    await running

    if (process.env.DEBUG_RELIABILITY) (await import('node:fs')).writeFileSync('/tmp/collect-server.log', server.logs())
    expect(server.process.exitCode).toBeNull() // the process never died
    const statuses = new Set(outcomes.map((o) => o.status))
    for (const s of statuses) expect([200, 201, 503]).toContain(s)
    const unavailable = outcomes.filter((o) => o.status === 503)
    expect(unavailable.length).toBeGreaterThan(0)
    for (const o of unavailable) expect(Number(o.retryAfter)).toBeGreaterThan(0)
    const lastUnavailable = outcomes.map((o) => o.status).lastIndexOf(503)
    expect(outcomes.slice(lastUnavailable + 1).filter((o) => o.status === 201).length).toBeGreaterThan(10)
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    // And nothing answered 201 is missing.
    const created = outcomes.filter((o) => o.status === 201)
    const stored = await storedReceipts(database.url, created.map((o) => o.id))
    for (const o of created) expect(stored.get(o.id)).toEqual([o.receipt])
  })
})
