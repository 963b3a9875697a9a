import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PERMISSIONS, ROLES, can, type Permission, type Role } from '#app/utils/permissions.ts'
import { startSession } from '#app/utils/auth.server.ts'
import * as usersRoute from '#app/routes/app.settings.users.tsx'
import * as auditRoute from '#app/routes/app.audit.tsx'
import * as listRoute from '#app/routes/app._index.tsx'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'

/*
 * Role escalation (PRODUCT.md §5): the expected matrix is written out here independently of PERMISSIONS, from
 * the wording: viewer reads dashboards and exports; analyst also builds and publishes surveys and
 * manages population profiles and targets; admin also manages users, settings, retention and the audit log.
 */
const EXPECTED: Record<Permission, Record<Role, boolean>> = {
  'dashboard:read': { viewer: true, analyst: true, admin: true },
  'export:create': { viewer: true, analyst: true, admin: true },
  'microdata:export': { viewer: false, analyst: true, admin: true },
  'survey:write': { viewer: false, analyst: true, admin: true },
  'survey:publish': { viewer: false, analyst: true, admin: true },
  'invitation:create': { viewer: false, analyst: true, admin: true },
  'import:create': { viewer: false, analyst: true, admin: true },
  'population:write': { viewer: false, analyst: true, admin: true },
  'target:write': { viewer: false, analyst: true, admin: true },
  // Issue 14: analysts publish results to the public page and record actions; viewers read them.
  'results:publish': { viewer: false, analyst: true, admin: true },
  'action:write': { viewer: false, analyst: true, admin: true },
  // Issue 14 item 3: analysts keep the coding frame and code comments into themes; viewers read the frequencies.
  'theme:write': { viewer: false, analyst: true, admin: true },
  'users:manage': { viewer: false, analyst: false, admin: true },
  'settings:write': { viewer: false, analyst: false, admin: true },
  'audit:read': { viewer: false, analyst: false, admin: true },
  // Issue 12: staff (analyst or admin) find and export a response by receipt; only admins erase it or change retention.
  'response:read': { viewer: false, analyst: true, admin: true },
  'response:erase': { viewer: false, analyst: false, admin: true },
  'retention:write': { viewer: false, analyst: false, admin: true },
}

describe('the role × action matrix', () => {
  it('lists exactly the permissions this test knows (a new permission needs a row here)', () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual(Object.keys(EXPECTED).sort())
  })
  for (const permission of Object.keys(EXPECTED) as Permission[]) {
    for (const role of ROLES) {
      it(`${role} ${EXPECTED[permission][role] ? 'may' : 'may not'} ${permission}`, () => {
        expect(can(role, permission)).toBe(EXPECTED[permission][role])
      })
    }
  }
  it('is monotonic: each role can do everything the role below it can', () => {
    for (const permission of Object.keys(PERMISSIONS) as Permission[]) {
      if (can('viewer', permission)) expect(can('analyst', permission)).toBe(true)
      if (can('analyst', permission)) expect(can('admin', permission)).toBe(true)
    }
  })
})

type Args = { request: Request; params: Record<string, string>; context: Record<string, unknown> }
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
    throw thrown
  }
}

describe('roles enforced by the routes themselves', () => {
  let test: TestDatabase
  let tenant: Tenant
  const cookies = {} as Record<Role, string>

  beforeAll(async () => {
    test = await createTestDatabase()
    installAsAppDatabase(test)
    tenant = await createTenant(test.db, 'Roles')
    for (const role of ROLES) cookies[role] = (await startSession(tenant.users[role].id, tenant.organisationId)).split(';')[0]!
  })
  afterAll(async () => {
    await test?.close()
  })

  const get = (path: string, role: Role) => new Request(`http://localhost${path}`, { headers: { Cookie: cookies[role] } })
  const post = (path: string, role: Role, form: Record<string, string>) =>
    new Request(`http://localhost${path}`, { method: 'POST', headers: { Cookie: cookies[role], 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) })
  const args = (request: Request): Args => ({ request, params: {}, context: {} })

  const cases: Array<{ what: string; role: Role; status: number; run: () => Promise<number> }> = []
  for (const role of ROLES) {
    const admin = role === 'admin'
    cases.push({ what: 'see the survey list', role, status: 200, run: () => statusOf(() => listRoute.loader(args(get('/app', role)))) })
    cases.push({ what: 'see the users page', role, status: admin ? 200 : 403, run: () => statusOf(() => usersRoute.loader(args(get('/app/settings/users', role)))) })
    cases.push({
      what: 'invite a user',
      role,
      status: admin ? 200 : 403,
      run: () => statusOf(() => usersRoute.action(args(post('/app/settings/users', role, { intent: 'invite', email: `new.${role}@example.test`, role: 'admin' })))),
    })
    cases.push({
      what: 'change a role (promote the viewer to admin)',
      role,
      status: admin ? 200 : 403,
      run: () => statusOf(() => usersRoute.action(args(post('/app/settings/users', role, { intent: 'change-role', userId: tenant.users.viewer.id, role: role === 'admin' ? 'viewer' : 'admin' })))),
    })
    cases.push({ what: 'read the audit log', role, status: admin ? 200 : 403, run: () => statusOf(() => auditRoute.loader(args(get('/app/audit', role)))) })
  }
  for (const c of cases) {
    it(`${c.role} ${c.status < 400 ? 'can' : 'cannot'} ${c.what} (${c.status})`, async () => {
      expect(await c.run()).toBe(c.status)
    })
  }
})
