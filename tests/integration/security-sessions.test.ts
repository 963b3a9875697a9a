import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SESSION_COOKIE, getSession, hashToken, requirePermission, startSession } from '#app/utils/auth.server.ts'
import * as loginRoute from '#app/routes/login.tsx'
import * as logoutRoute from '#app/routes/logout.tsx'
import * as usersRoute from '#app/routes/app.settings.users.tsx'
import * as inviteRoute from '#app/routes/invite.$token.tsx'
import * as twoFactorStepRoute from '#app/routes/login.two-factor.tsx'
import { totpCode } from '#tests/support/two-factor.ts'
import * as switchRoute from '#app/routes/app.switch-organisation.tsx'
import { auditLog, sessions, users } from '#db/schema.ts'
import { findLiveSession, listAudit } from '#db/queries/accounts.ts'
import { hashPassword } from '#db/passwords.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'

/* Sessions, invitations and passwords through the real route modules (PRODUCT.md §5 "Weak sessions and passwords"). */

const ORIGIN = 'http://localhost'
const form = (values: Record<string, string>) => new URLSearchParams(values)
const cookieOf = (setCookie: string | null) => setCookie?.split(';')[0] ?? ''
const tokenOf = (cookie: string) => cookie.slice(cookie.indexOf('=') + 1)

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
const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context: {} })
const post = (path: string, body: URLSearchParams, cookie = '') =>
  new Request(`${ORIGIN}${path}`, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body })

describe('sessions, invitations and passwords', () => {
  let test: TestDatabase
  let tenant: Tenant
  let other: Tenant
  let adminCookie: string

  beforeAll(async () => {
    test = await createTestDatabase()
    installAsAppDatabase(test)
    tenant = await createTenant(test.db, 'Sessions')
    other = await createTenant(test.db, 'Other')
    adminCookie = cookieOf(await startSession(tenant.users.admin.id, tenant.organisationId))
  })
  afterAll(async () => {
    await test?.close()
  })

  async function login(email: string, password: string, cookie = '') {
    return call(() => loginRoute.action(args(post('/login', form({ email, password, redirectTo: '/app' }), cookie))))
  }

  it('sets a __Host- cookie that is Secure, HttpOnly, SameSite=Lax, Path=/ with no Domain', async () => {
    const res = await login(tenant.users.viewer.email, tenant.users.viewer.password)
    expect(statusOf(res)).toBe(302)
    const header = (res as Response).headers.get('Set-Cookie')!
    const [pair, ...attributes] = header.split(';').map((p) => p.trim())
    expect(pair!.startsWith(`${SESSION_COOKIE}=`)).toBe(true)
    expect(SESSION_COOKIE.startsWith('__Host-')).toBe(true)
    const names = attributes.map((a) => a.split('=')[0]!.toLowerCase())
    expect(names).toContain('secure')
    expect(names).toContain('httponly')
    expect(attributes).toContain('SameSite=Lax')
    expect(attributes).toContain('Path=/')
    expect(names).not.toContain('domain')
    expect(tokenOf(pair!).length).toBeGreaterThanOrEqual(43) // 256 bits in base64url
  })

  it('rotates the session at login: a planted cookie value is not reused and stays invalid', async () => {
    const planted = `${SESSION_COOKIE}=attacker-chosen-session-value-0123456789abcdef`
    const res = (await login(tenant.users.analyst.email, tenant.users.analyst.password, planted)) as Response
    const issued = cookieOf(res.headers.get('Set-Cookie'))
    expect(issued).not.toBe(planted)
    expect(await getSession(new Request(ORIGIN, { headers: { Cookie: planted } }))).toBeNull()
    expect(await getSession(new Request(ORIGIN, { headers: { Cookie: issued } }))).not.toBeNull()
    // Signing in again issues yet another token.
    const again = cookieOf(((await login(tenant.users.analyst.email, tenant.users.analyst.password, issued)) as Response).headers.get('Set-Cookie'))
    expect(again).not.toBe(issued)
  })

  it('stores only the SHA-256 of the session token', async () => {
    const cookie = cookieOf(((await login(tenant.users.viewer.email, tenant.users.viewer.password)) as Response).headers.get('Set-Cookie'))
    const token = tokenOf(cookie)
    const rows = await test.db.select().from(sessions).where(eq(sessions.tokenHash, hashToken(token)))
    expect(rows).toHaveLength(1)
    const raw = await test.db.select().from(sessions).where(eq(sessions.tokenHash, token))
    expect(raw).toHaveLength(0)
  })

  it('rejects the old session cookie after logout (revoked on the server, not just cleared)', async () => {
    const cookie = cookieOf(((await login(tenant.users.viewer.email, tenant.users.viewer.password)) as Response).headers.get('Set-Cookie'))
    await requirePermission(new Request(`${ORIGIN}/app`, { headers: { Cookie: cookie } }), 'dashboard:read')
    const out = (await call(() => logoutRoute.action(args(post('/logout', form({}), cookie))))) as Response
    expect(out.status).toBe(302)
    expect(out.headers.get('Set-Cookie')).toMatch(/Max-Age=0/)
    const again = await call(() => requirePermission(new Request(`${ORIGIN}/app`, { headers: { Cookie: cookie } }), 'dashboard:read'))
    expect(again).toBeInstanceOf(Response)
    expect((again as Response).status).toBe(302)
    expect((again as Response).headers.get('Location')).toMatch(/^\/login/)
  })

  it('refuses a wrong password with 401 and rate-limits login with 429 after 10 attempts', async () => {
    const email = tenant.users.admin.email
    const statuses: number[] = []
    for (let i = 0; i < 12; i++) statuses.push(statusOf(await login(email, `wrong-password-${i}`)))
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true)
    expect(statuses.slice(10)).toEqual([429, 429])
    // Even the right password is refused while limited.
    expect(statusOf(await login(email, tenant.users.admin.password))).toBe(429)
  })

  it('records sign-in and sign-out in the audit log', async () => {
    const cookie = cookieOf(((await login(tenant.users.analyst.email, tenant.users.analyst.password)) as Response).headers.get('Set-Cookie'))
    await call(() => logoutRoute.action(args(post('/logout', form({}), cookie))))
    const entries = await listAudit(test.db, tenant.organisationId)
    const mine = entries.filter((e) => e.userEmail === tenant.users.analyst.email).map((e) => e.action)
    expect(mine).toContain('auth.sign_in')
    expect(mine).toContain('auth.sign_out')
  })

  describe('invitations', () => {
    async function invite(email: string, role = 'analyst'): Promise<string> {
      const result = await call(() => usersRoute.action(args(post('/app/settings/users', form({ intent: 'invite', email, role }), adminCookie))))
      expect(statusOf(result)).toBe(200)
      const link = (result as { data: { inviteLink: string } }).data.inviteLink
      expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/)
      return link.split('/invite/')[1]!
    }
    const accept = (token: string, values: Record<string, string>) =>
      call(() => inviteRoute.action(args(post(`/invite/${token}`, form(values)), { token })))

    it('refuses common, too short, too long and personal passwords, then accepts a good one once', async () => {
      const email = 'newcomer@example.test'
      const token = await invite(email)
      const loaded = await inviteRoute.loader(args(new Request(`${ORIGIN}/invite/${token}`), { token }))
      expect(loaded).toMatchObject({ email, role: 'analyst' })
      // The page never says whether the address has an account (issue 12, finding 4).
      expect(loaded).not.toHaveProperty('hasAccount')
      for (const password of ['password123', 'iloveyou', 'short', 'x'.repeat(129), email, tenant.organisationName, 'Newcomer!']) {
        const result = await accept(token, { intent: 'create', name: 'New Comer', password, confirm: password })
        expect(statusOf(result), password.slice(0, 20)).toBe(400)
      }
      const good = 'a long passphrase about teapots and rain'
      const result = (await accept(token, { intent: 'create', name: 'New Comer', password: good, confirm: good })) as Response
      expect(result.status).toBe(302)
      expect(result.headers.get('Set-Cookie')).toMatch(/^__Host-cse_session=/)
      const session = await getSession(new Request(ORIGIN, { headers: { Cookie: cookieOf(result.headers.get('Set-Cookie')) } }))
      expect(session?.activeOrganisationId).toBe(tenant.organisationId)
      // The stored hash carries argon2id's parameters: t=2, m=19 MiB, p=1.
      const [user] = await test.db.select().from(users).where(eq(users.email, email))
      expect(user!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
      // The link is spent.
      expect(statusOf(await accept(token, { intent: 'create', name: 'Again', password: good, confirm: good }))).toBe(404)
      expect(statusOf(await call(() => inviteRoute.loader(args(new Request(`${ORIGIN}/invite/${token}`), { token }))))).toBe(404)
    })

    it('accepts a 128-character password', async () => {
      const token = await invite('longpass@example.test', 'viewer')
      const password = 'correct horse battery staple '.repeat(5).slice(0, 128)
      expect([...password]).toHaveLength(128)
      expect(statusOf(await accept(token, { intent: 'create', name: 'Long Pass', password, confirm: password }))).toBe(302)
    })

    it('lets someone with an account join a second organisation with their password, and switch between them', async () => {
      // other's admin is invited into tenant's organisation.
      const token = await invite(other.users.admin.email, 'viewer')
      const loaded = await inviteRoute.loader(args(new Request(`${ORIGIN}/invite/${token}`), { token }))
      expect(loaded).not.toHaveProperty('hasAccount')
      expect(statusOf(await accept(token, { intent: 'join', password: 'not their password' }))).toBe(401)
      const joined = (await accept(token, { intent: 'join', password: other.users.admin.password })) as Response
      expect(joined.status).toBe(302)
      // An admin has two-factor sign-in, so joining asks for the code next (app/routes/login.two-factor.server.ts).
      expect(joined.headers.get('Location')).toBe('/login/two-factor')
      const code = totpCode(other.users.admin.totpSecret!)
      const step = (await twoFactorStepRoute.action(args(post('/login/two-factor', form({ code }), cookieOf(joined.headers.get('Set-Cookie')))))) as Response
      expect(step.status).toBe(302)
      const cookie = step.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith(`${SESSION_COOKIE}=`))!
      const here = await requirePermission(new Request(`${ORIGIN}/app`, { headers: { Cookie: cookie } }), 'dashboard:read')
      expect(here.organisationId).toBe(tenant.organisationId)
      expect(here.role).toBe('viewer')
      expect(here.memberships.map((m) => m.organisationId).sort()).toEqual([tenant.organisationId, other.organisationId].sort())
      const switched = (await call(() => switchRoute.action(args(post('/app/switch-organisation', form({ organisationId: other.organisationId }), cookie))))) as Response
      expect(switched.status).toBe(302)
      const there = await requirePermission(new Request(`${ORIGIN}/app`, { headers: { Cookie: cookie } }), 'users:manage')
      expect(there.organisationId).toBe(other.organisationId)
      expect(there.role).toBe('admin')
    })

    it('cannot switch to an organisation the user does not belong to (404)', async () => {
      const result = await call(() => switchRoute.action(args(post('/app/switch-organisation', form({ organisationId: other.organisationId }), adminCookie))))
      expect(statusOf(result)).toBe(404)
    })

    it('consumes one token exactly once under 20 concurrent accepts', async () => {
      const token = await invite('racer@example.test', 'viewer')
      const password = 'racing towards the finish line slowly'
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => accept(token, { intent: 'create', name: `Racer ${i}`, password, confirm: password })),
      )
      const statuses = results.map(statusOf)
      expect(statuses.filter((s) => s === 302)).toHaveLength(1)
      // The rest are refused: 404 once the token is spent, or 503 when the bounded password-hashing queue
      // (app/routes/invite.$token.server.ts, passwordHashingSaturated) turns a flood away before hashing.
      expect(statuses.filter((s) => s !== 302 && s !== 404 && s !== 503)).toEqual([])
      expect(await test.db.select().from(users).where(eq(users.email, 'racer@example.test'))).toHaveLength(1)
    })

    it('answers a stale new-account form with 409 when the account now exists, and the link still works to join', async () => {
      const token = await invite('late@example.test', 'viewer')
      const before = await inviteRoute.loader(args(new Request(`${ORIGIN}/invite/${token}`), { token }))
      expect(before).not.toHaveProperty('hasAccount')
      // The account is made elsewhere (another organisation's invitation) while this form is open.
      const password = 'an account made somewhere else first'
      await test.db.insert(users).values({ email: 'late@example.test', name: 'Late', passwordHash: await hashPassword(password) })
      const stale = await accept(token, { intent: 'create', name: 'Late', password: 'a different new password here', confirm: 'a different new password here' })
      expect(statusOf(stale)).toBe(409)
      expect(statusOf(await accept(token, { intent: 'join', password }))).toBe(302)
    })

    it('a revoked invitation no longer works', async () => {
      const token = await invite('revoked@example.test', 'viewer')
      const page = (await usersRoute.loader(args(new Request(`${ORIGIN}/app/settings/users`, { headers: { Cookie: adminCookie } })))) as {
        invitations: Array<{ id: string; email: string }>
      }
      const id = page.invitations.find((i) => i.email === 'revoked@example.test')!.id
      expect(statusOf(await call(() => usersRoute.action(args(post('/app/settings/users', form({ intent: 'revoke-invitation', invitationId: id }), adminCookie)))))).toBe(200)
      expect(statusOf(await call(() => inviteRoute.loader(args(new Request(`${ORIGIN}/invite/${token}`), { token }))))).toBe(404)
    })
  })

  describe('members', () => {
    it('removing a user revokes their live sessions at once', async () => {
      const victim = tenant.users.viewer
      const cookie = cookieOf(await startSession(victim.id, tenant.organisationId))
      expect(await findLiveSession(test.db, hashToken(tokenOf(cookie)))).not.toBeNull()
      const result = await call(() => usersRoute.action(args(post('/app/settings/users', form({ intent: 'remove', userId: victim.id }), adminCookie))))
      expect(statusOf(result)).toBe(200)
      expect(await findLiveSession(test.db, hashToken(tokenOf(cookie)))).toBeNull()
      const again = await call(() => requirePermission(new Request(`${ORIGIN}/app`, { headers: { Cookie: cookie } }), 'dashboard:read'))
      expect((again as Response).status).toBe(302)
    })

    it('changes a role, refuses to demote or remove the last admin, and audits each change', async () => {
      const analyst = tenant.users.analyst
      expect(statusOf(await call(() => usersRoute.action(args(post('/app/settings/users', form({ intent: 'change-role', userId: analyst.id, role: 'viewer' }), adminCookie)))))).toBe(200)
      const after = await requirePermission(new Request(`${ORIGIN}/app`, { headers: { Cookie: cookieOf(await startSession(analyst.id, tenant.organisationId)) } }), 'dashboard:read')
      expect(after.role).toBe('viewer')
      const admin = tenant.users.admin
      expect(statusOf(await call(() => usersRoute.action(args(post('/app/settings/users', form({ intent: 'change-role', userId: admin.id, role: 'analyst' }), adminCookie)))))).toBe(409)
      expect(statusOf(await call(() => usersRoute.action(args(post('/app/settings/users', form({ intent: 'remove', userId: admin.id }), adminCookie)))))).toBe(409)
      const actions = (await test.db.select().from(auditLog).where(eq(auditLog.organisationId, tenant.organisationId))).map((e) => e.action)
      for (const action of ['users.invited', 'users.invitation_accepted', 'users.invitation_revoked', 'users.role_changed', 'users.removed']) {
        expect(actions, action).toContain(action)
      }
    })

    it('cannot change or remove a member of another organisation (404)', async () => {
      for (const values of [
        { intent: 'change-role', userId: other.users.analyst.id, role: 'admin' },
        { intent: 'remove', userId: other.users.analyst.id },
        { intent: 'revoke-invitation', invitationId: other.ids.staffInvitationId! },
      ] as Array<Record<string, string>>) {
        expect(statusOf(await call(() => usersRoute.action(args(post('/app/settings/users', form(values), adminCookie)))))).toBe(404)
      }
    })
  })
})
