import fc from 'fast-check'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import routes from '#app/routes.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { rowsOf } from '#db/client.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'

/*
 * SQL injection and hostile route parameters (PRODUCT.md §5): every route with a parameter is called, as a
 * signed-in admin, with injection strings, path tricks, broken encodings and random text in place of each
 * parameter. Every answer must be a clean refusal (400, 404, 405 or 410) — never a 500 from a database error
 * that a malformed id reached, never a 2xx — and the data must be unchanged. Queries are parameterised
 * (ESLint bans sql.raw); this proves the routes also validate ids before they reach PostgreSQL.
 */
interface ConfigEntry {
  path?: string
  file: string
  children?: ConfigEntry[]
}
interface FlatRoute {
  file: string
  path: string
  params: string[]
}
function flatten(entries: ConfigEntry[], parentPath = ''): FlatRoute[] {
  const out: FlatRoute[] = []
  for (const entry of entries) {
    const path = (entry.path ? `${parentPath.replace(/\/$/, '')}/${entry.path}` : parentPath || '/').replace(/\/+/g, '/')
    out.push({ file: entry.file, path, params: [...path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!) })
    if (entry.children) out.push(...flatten(entry.children, entry.path ? path : parentPath))
  }
  return out
}
const withParams = flatten(routes as unknown as ConfigEntry[]).filter((r) => r.params.length > 0)

const CORPUS = [
  "' OR '1'='1",
  "1'; DROP TABLE responses; --",
  '00000000-0000-0000-0000-000000000000',
  '../../etc/passwd',
  '%00',
  'null',
  '-1',
  '😀'.repeat(20),
  'a'.repeat(5000),
  '\u0000',
  '\ud800',
  '{"$gt":""}',
]

type RouteModule = {
  loader?: (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>
  action?: (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>
}

async function statusOf(call: () => Promise<unknown>): Promise<number> {
  try {
    const result = await call()
    if (result instanceof Response) return result.status
    if (result && typeof result === 'object' && (result as { type?: string }).type === 'DataWithResponseInit') {
      return (result as { init: ResponseInit | null }).init?.status ?? 200
    }
    return 200
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status
    return 500
  }
}

describe('hostile route parameters', () => {
  let test: TestDatabase
  let tenant: Tenant
  let cookie: string
  let before: number

  const count = async () => Number(rowsOf<{ n: number }>(await test.db.execute(sql`select (select count(*) from responses) + (select count(*) from surveys) + (select count(*) from memberships) as n`))[0]!.n)

  beforeAll(async () => {
    test = await createTestDatabase()
    installAsAppDatabase(test)
    tenant = await createTenant(test.db, 'Fuzz')
    cookie = (await startSession(tenant.users.admin.id, tenant.organisationId)).split(';')[0]!
    before = await count()
  })
  afterAll(async () => test?.close())

  it('covers every route that takes a parameter', () => {
    expect(withParams.length).toBeGreaterThan(10)
  })

  for (const route of withParams) {
    it(`${route.file}: refuses hostile values for ${route.params.join(', ')} without a server error`, async () => {
      const mod = (await import(`../../app/${route.file}`)) as RouteModule
      const call = async (value: string) => {
        for (const param of route.params) {
          const params = Object.fromEntries(route.params.map((p) => [p, p === param ? value : (tenant.ids[p] ?? 'svg')]))
          // A lone surrogate cannot be percent-encoded into a URL; the params object still carries it.
          const encode = (v: string) => {
            try {
              return encodeURIComponent(v)
            } catch {
              return 'x'
            }
          }
          const url = `http://localhost${route.path.replace(/:([A-Za-z_]+)/g, (_, p: string) => encode(params[p] ?? ''))}`
          const headers = { Cookie: cookie, Origin: 'http://localhost' }
          const results: Array<[string, number]> = []
          if (mod.loader) results.push(['GET', await statusOf(() => mod.loader!({ request: new Request(url, { headers }), params, context: { cspNonce: '' } }))])
          if (mod.action) {
            const request = new Request(url, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'intent=publish' })
            results.push(['POST', await statusOf(() => mod.action!({ request, params, context: { cspNonce: '' } }))])
          }
          for (const [method, status] of results) {
            expect([400, 404, 405, 410], `${method} ${route.path} with ${param}=${JSON.stringify(value.slice(0, 40))}`).toContain(status)
          }
        }
      }
      for (const value of CORPUS) await call(value)
      await fc.assert(fc.asyncProperty(fc.string({ minLength: 1, maxLength: 60 }), call), { numRuns: 15 })
      expect(await count()).toBe(before)
    })
  }
})
