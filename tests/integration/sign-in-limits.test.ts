import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as loginRoute from '#app/routes/login.tsx'
import * as inviteRoute from '#app/routes/invite.$token.tsx'
import * as usersRoute from '#app/routes/app.settings.users.tsx'
import { startSession } from '#app/utils/auth.server.ts'
import { clientKeyFor } from '#app/utils/submission-limits.server.ts'
import { rowsOf } from '#db/client.ts'
import { setPasswordHashLimits, takePeakHashConcurrency } from '#db/passwords.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'

/*
 * Issue 12, finding 4 (sign-in floods), through the real route modules:
 * - one client spraying 30 accounts was never refused (limits were per account only);
 * - the invitation "join" form gave 10 more guesses while sign-in was locked, and its page said whether the
 *   address had an account anywhere;
 * - limits lived in one process's memory, so each instance had its own;
 * - nothing bounded concurrent password hashing.
 */
const ORIGIN = 'http://localhost'
const form = (values: Record<string, string>) => new URLSearchParams(values)
const post = (path: string, body: URLSearchParams, cookie = '') =>
  new Request(`${ORIGIN}${path}`, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body })

async function call<T>(fn: () => Promise<T>): Promise<Response | T> {
  try {
    return await fn()
  } catch (thrown) {
    if (thrown instanceof Response) return thrown
    throw thrown
  }
}
function statusOf(result: unknown): number {
  if (result instanceof Response) return result.status
  if (result && typeof result === 'object' && (result as { type?: string }).type === 'DataWithResponseInit') return (result as { init: ResponseInit | null }).init?.status ?? 200
  return 200
}
function errorOf(result: unknown): string {
  return ((result as { data?: { error?: string } }).data?.error ?? '') as string
}

let test: TestDatabase
let tenant: Tenant
let other: Tenant
let adminCookie: string

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  tenant = await createTenant(test.db, 'Limits')
  other = await createTenant(test.db, 'Elsewhere')
  adminCookie = (await startSession(tenant.users.admin.id, tenant.organisationId)).split(';')[0]!
})
afterAll(async () => {
  setPasswordHashLimits({ concurrency: 1, maxQueue: 64, maxWaitMs: 5_000 })
  await test?.close()
})

const login = (email: string, password: string, clientKey: string | undefined) =>
  call(() => loginRoute.action({ request: post('/login', form({ email, password })), params: {}, context: { clientKey } }))

async function invite(email: string): Promise<string> {
  const result = await call(() =>
    usersRoute.action({ request: post('/app/settings/users', form({ intent: 'invite', email, role: 'viewer' }), adminCookie), params: {}, context: {} }),
  )
  return (result as { data: { inviteLink: string } }).data.inviteLink.split('/invite/')[1]!
}
const accept = (token: string, values: Record<string, string>, clientKey?: string) =>
  call(() => inviteRoute.action({ request: post(`/invite/${token}`, form(values)), params: { token }, context: { clientKey } }))

describe('sign-in limits', () => {
  it('answers 429 when one client sprays 30 accounts, while other clients and the accounts still sign in', async () => {
    const sprayer = clientKeyFor('203.0.113.50')
    const statuses: number[] = []
    for (let i = 0; i < 30; i++) statuses.push(statusOf(await login(`victim-${i}@example.test`, 'Winter2026!', sprayer)))
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true)
    expect(statuses.slice(20)).toEqual(Array(10).fill(429))
    const refused = await login('victim-31@example.test', 'Winter2026!', sprayer)
    expect(Number((refused as { init: ResponseInit }).init.headers && new Headers((refused as { init: ResponseInit }).init.headers).get('Retry-After'))).toBeGreaterThan(0)
    // The right password from the sprayer is refused too; from anywhere else it works.
    expect(statusOf(await login(tenant.users.viewer.email, tenant.users.viewer.password, sprayer))).toBe(429)
    expect(statusOf(await login(tenant.users.viewer.email, tenant.users.viewer.password, clientKeyFor('198.51.100.20')))).toBe(302)
  })

  it('does not lock out an office: colleagues signing in successfully from one address give their points back', async () => {
    const office = clientKeyFor('192.0.2.77')
    for (let i = 0; i < 25; i++) {
      const who = [tenant.users.viewer, tenant.users.analyst, tenant.users.admin][i % 3]!
      expect(statusOf(await login(who.email, who.password, office))).toBe(302)
    }
  })

  it('keeps the counts in the database, so another app instance sees them', async () => {
    const client = clientKeyFor('203.0.113.60')
    for (let i = 0; i < 20; i++) await login(`spray-${i}@example.test`, 'guess', client)
    const rows = rowsOf<{ n: number }>(await test.db.execute(sql`select count(*)::int as n from rate_limits where key like 'signin-client:%'`))
    expect(rows[0]!.n).toBeGreaterThan(0)
    // A second instance: fresh modules, fresh limiter objects, the same database.
    vi.resetModules()
    const fresh = await import('#app/routes/login.tsx')
    const again = await call(() =>
      fresh.action({ request: post('/login', form({ email: 'spray-99@example.test', password: 'guess' })), params: {}, context: { clientKey: client } }),
    )
    expect(statusOf(again)).toBe(429)
  })

  it('the invitation join form shares the sign-in limits: no extra guesses while sign-in is locked', async () => {
    const victim = other.users.admin
    const token = await invite(victim.email)
    // Ten wrong passwords on the sign-in page, from ten different clients, lock the account.
    for (let i = 0; i < 10; i++) expect(statusOf(await login(victim.email, `wrong-${i}`, clientKeyFor(`10.9.0.${i}`)))).toBe(401)
    expect(statusOf(await login(victim.email, 'wrong-again', clientKeyFor('10.9.0.99')))).toBe(429)
    // The join form, even with the right password and from a fresh client, is refused as well.
    expect(statusOf(await accept(token, { intent: 'join', password: victim.password }, clientKeyFor('10.9.1.1')))).toBe(429)
  })

  it('a join form spray from one client is counted with sign-in', async () => {
    const client = clientKeyFor('203.0.113.70')
    for (let i = 0; i < 20; i++) await login(`mixed-${i}@example.test`, 'guess', client)
    const token = await invite('someone-new@example.test')
    expect(statusOf(await accept(token, { intent: 'join', password: 'guess' }, client))).toBe(429)
  })

  it('the invitation page and its join form do not reveal whether the address has an account', async () => {
    const withAccount = await invite(other.users.analyst.email)
    const withoutAccount = await invite('nobody-yet@example.test')
    const pageA = await inviteRoute.loader({ request: new Request(`${ORIGIN}/invite/${withAccount}`), params: { token: withAccount }, context: {} })
    const pageB = await inviteRoute.loader({ request: new Request(`${ORIGIN}/invite/${withoutAccount}`), params: { token: withoutAccount }, context: {} })
    expect(Object.keys(pageA).sort()).toEqual(Object.keys(pageB).sort())
    expect(pageA).not.toHaveProperty('hasAccount')
    // A wrong password gets the same status and words whether or not an account exists.
    const a = await accept(withAccount, { intent: 'join', password: 'not it at all' }, clientKeyFor('10.8.0.1'))
    const b = await accept(withoutAccount, { intent: 'join', password: 'not it at all' }, clientKeyFor('10.8.0.2'))
    expect(statusOf(a)).toBe(401)
    expect(statusOf(b)).toBe(401)
    expect(errorOf(a)).toBe(errorOf(b))
  })

  it('runs at most the configured number of password hashes at once, and answers 503 when the queue is full', async () => {
    setPasswordHashLimits({ concurrency: 1, maxQueue: 64, maxWaitMs: 10_000 })
    takePeakHashConcurrency()
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => login(`parallel-${i}@example.test`, 'guess', clientKeyFor(`10.7.0.${i}`))),
    )
    expect(results.map(statusOf)).toEqual(Array(8).fill(401))
    expect(takePeakHashConcurrency()).toBe(1)

    setPasswordHashLimits({ concurrency: 1, maxQueue: 2, maxWaitMs: 10_000 })
    const flood = await Promise.all(
      Array.from({ length: 8 }, (_, i) => login(`flood-${i}@example.test`, 'guess', clientKeyFor(`10.6.0.${i}`))),
    )
    const statuses = flood.map(statusOf)
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0)
    expect(statuses.every((s) => s === 401 || s === 503)).toBe(true)
  })
})
