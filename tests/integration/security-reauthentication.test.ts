import { eq } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as loginRoute from '#app/routes/login.tsx'
import * as accountTwoFactorRoute from '#app/routes/app.account.two-factor.tsx'
import * as accountSessionsRoute from '#app/routes/app.account.sessions.tsx'
import * as operatorTwoFactorRoute from '#app/routes/operator.two-factor.tsx'
import { getSession, startSession, TWO_FACTOR_ENROL_PATH } from '#app/utils/auth.server.ts'
import { SIGN_IN_LIMITS } from '#app/utils/sign-in-limits.server.ts'
import { CURRENT_PASSWORD_MISSING, CURRENT_PASSWORD_WRONG } from '#app/services/reauthentication.server.ts'
import { users } from '#db/schema.ts'
import { addMembership, createUser, listAudit } from '#db/queries/accounts.ts'
import { setOperator } from '#db/queries/operators.ts'
import { hashPassword, setPasswordHashLimits } from '#db/passwords.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'
import { call, cookieOf, dataOf, form, statusOf } from '#tests/support/route-calls.ts'
import { totpCode } from '#tests/support/two-factor.ts'

/*
 * Re-authentication inside a live session (ASVS 5.0 7.5.1 and 7.5.2; app/services/reauthentication.server.ts):
 * setting up two-factor sign-in (staff and operator pages) and ending sessions ask for the current password. A
 * missing one is a 400 with a field error; a wrong one too, audited and counted against the sign-in limits; a
 * right one gives its point back. Hostile bodies get 4xx. Every call goes through the real route modules.
 */

const ORIGIN = 'http://localhost'
const args = (request: Request, clientKey?: string) => ({ request, params: {}, context: { clientKey } })
const post = (path: string, body: URLSearchParams | FormData, cookie: string) =>
  new Request(`${ORIGIN}${path}`, {
    method: 'POST',
    headers: body instanceof URLSearchParams ? { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' } : { Cookie: cookie },
    body,
  })
const get = (path: string, cookie: string) => new Request(`${ORIGIN}${path}`, { headers: { Cookie: cookie } })
const fieldError = (result: unknown) => dataOf<{ fieldErrors?: { currentPassword?: string } }>(result).fieldErrors?.currentPassword

describe('re-authentication with the current password', () => {
  let test: TestDatabase
  let tenant: Tenant

  beforeAll(async () => {
    test = await createTestDatabase()
    installAsAppDatabase(test)
    tenant = await createTenant(test.db, 'Reauth')
  })
  afterAll(async () => {
    await test?.close()
  })
  afterEach(() => setPasswordHashLimits({ concurrency: 1, maxQueue: 16 }))

  async function newMember(email: string, password: string) {
    const user = await createUser(test.db, email, 'New Member', await hashPassword(password))
    await addMembership(test.db, tenant.organisationId, user.id, 'viewer')
    return { ...user, password }
  }
  async function auditOf(userId: string) {
    return (await listAudit(test.db, tenant.organisationId)).filter((e) => e.targetId === userId)
  }
  async function totpSecretOf(userId: string) {
    return (await test.db.select().from(users).where(eq(users.id, userId)))[0]!.totpSecret
  }

  describe('setting up two-factor sign-in (ASVS 7.5.1)', () => {
    it('refuses a missing or wrong password with a field error (the wrong one audited), and sets it up with the right one', async () => {
      const user = tenant.users.analyst
      const cookie = cookieOf(await startSession(user.id, tenant.organisationId))
      const page = dataOf<{ rawSecret: string; email: string }>(await accountTwoFactorRoute.loader(args(get(TWO_FACTOR_ENROL_PATH, cookie))))
      expect(page.email).toBe(user.email)
      const secret = page.rawSecret
      const enrol = (extra: Record<string, string>) =>
        call(() => accountTwoFactorRoute.action(args(post(TWO_FACTOR_ENROL_PATH, form({ intent: 'enable', secret, code: totpCode(secret), ...extra }), cookie))))

      const missing = await enrol({})
      expect(statusOf(missing)).toBe(400)
      expect(fieldError(missing)).toBe(CURRENT_PASSWORD_MISSING)
      const empty = await enrol({ currentPassword: '' })
      expect(statusOf(empty)).toBe(400)
      expect(fieldError(empty)).toBe(CURRENT_PASSWORD_MISSING)

      const wrong = await enrol({ currentPassword: `${user.password}x` })
      expect(statusOf(wrong)).toBe(400)
      expect(fieldError(wrong)).toBe(CURRENT_PASSWORD_WRONG)
      expect(await totpSecretOf(user.id)).toBeNull()
      const failed = (await auditOf(user.id)).filter((e) => e.action === 'account.reauthentication_failed')
      expect(failed).toHaveLength(1)
      expect(failed[0]!.details).toEqual({ intent: 'two_factor_enable' })
      // The password typed is not in the audit log.
      expect(JSON.stringify(await auditOf(user.id))).not.toContain(user.password)

      const ok = await enrol({ currentPassword: user.password })
      expect(statusOf(ok)).toBe(200)
      expect(dataOf<{ recoveryCodes: string[] }>(ok).recoveryCodes).toHaveLength(10)
      expect(await totpSecretOf(user.id)).not.toBeNull()
    })

    it('asks the same of an operator on /operator/two-factor', async () => {
      const password = 'an operator passphrase for re-authentication'
      const operator = await createUser(test.db, 'reauth.operator@platform.example', 'Olive Operator', await hashPassword(password))
      await setOperator(test.db, operator.id, true)
      const cookie = cookieOf(await startSession(operator.id, null))
      const { rawSecret: secret } = dataOf<{ rawSecret: string }>(await operatorTwoFactorRoute.loader(args(get('/operator/two-factor', cookie))))
      const enrol = (extra: Record<string, string>) =>
        call(() => operatorTwoFactorRoute.action(args(post('/operator/two-factor', form({ intent: 'enable', secret, code: totpCode(secret), ...extra }), cookie))))
      expect(fieldError(await enrol({}))).toBe(CURRENT_PASSWORD_MISSING)
      const wrong = await enrol({ currentPassword: 'not the operator passphrase' })
      expect(statusOf(wrong)).toBe(400)
      expect(fieldError(wrong)).toBe(CURRENT_PASSWORD_WRONG)
      expect(await totpSecretOf(operator.id)).toBeNull()
      expect(statusOf(await enrol({ currentPassword: password }))).toBe(200)
      expect(await totpSecretOf(operator.id)).not.toBeNull()
    })
  })

  describe('ending sessions (ASVS 7.5.2)', () => {
    it('offers the chosen session for confirmation, only one’s own', async () => {
      const user = tenant.users.viewer
      const mine = cookieOf(await startSession(user.id, tenant.organisationId))
      const otherId = (await getSession(get('/app', cookieOf(await startSession(user.id, tenant.organisationId)))))!.sessionId
      const adminId = (await getSession(get('/app', cookieOf(await startSession(tenant.users.admin.id, tenant.organisationId)))))!.sessionId
      const page = async (end: string) => dataOf<{ ending: { id: string } | null }>(await accountSessionsRoute.loader(args(get(`/app/account/sessions?end=${end}`, mine))))
      expect((await page(otherId)).ending?.id).toBe(otherId)
      expect((await page(adminId)).ending).toBeNull()
      expect((await page('not-a-uuid')).ending).toBeNull()
    })

    it('signs out one session or all others only with the right password; a wrong one is audited', async () => {
      const user = tenant.users.viewer
      const mine = cookieOf(await startSession(user.id, tenant.organisationId))
      const other = cookieOf(await startSession(user.id, tenant.organisationId))
      const third = cookieOf(await startSession(user.id, tenant.organisationId))
      const otherId = (await getSession(get('/app', other)))!.sessionId
      const send = (values: Record<string, string>) => call(() => accountSessionsRoute.action(args(post('/app/account/sessions', form(values), mine))))

      const missing = await send({ intent: 'revoke', sessionId: otherId })
      expect(statusOf(missing)).toBe(400)
      expect(fieldError(missing)).toBe(CURRENT_PASSWORD_MISSING)
      const wrong = await send({ intent: 'revoke', sessionId: otherId, currentPassword: 'a guess' })
      expect(statusOf(wrong)).toBe(400)
      expect(fieldError(wrong)).toBe(CURRENT_PASSWORD_WRONG)
      expect(await getSession(get('/app', other))).not.toBeNull()
      const failed = (await auditOf(user.id)).filter((e) => e.action === 'account.reauthentication_failed')
      expect(failed.map((e) => e.details)).toContainEqual({ intent: 'revoke' })

      expect(statusOf(await send({ intent: 'revoke', sessionId: otherId, currentPassword: user.password }))).toBe(200)
      expect(await getSession(get('/app', other))).toBeNull()

      const wrongAll = await send({ intent: 'revoke-others', currentPassword: 'another guess' })
      expect(statusOf(wrongAll)).toBe(400)
      expect(fieldError(wrongAll)).toBe(CURRENT_PASSWORD_WRONG)
      expect(await getSession(get('/app', third))).not.toBeNull()
      const all = await send({ intent: 'revoke-others', currentPassword: user.password })
      expect(statusOf(all)).toBe(200)
      expect(await getSession(get('/app', third))).toBeNull()
      expect(await getSession(get('/app', mine))).not.toBeNull()
    })
  })

  describe('limits and hostile input', () => {
    it('counts wrong passwords against the sign-in limits, which then refuse sign-in too; a right one gives its point back', async () => {
      const password = 'a passphrase guessed at by a borrowed session'
      const guessed = await newMember('reauth.limits@example.test', password)
      const cookie = cookieOf(await startSession(guessed.id, tenant.organisationId))
      const send = (currentPassword: string) =>
        call(() => accountSessionsRoute.action(args(post('/app/account/sessions', form({ intent: 'revoke-others', currentPassword }), cookie))))

      // Right passwords, more of them than the budget: each gives its point back, so none is refused.
      for (let i = 0; i < SIGN_IN_LIMITS.perAccount.points + 2; i++) expect(statusOf(await send(password))).toBe(200)
      for (let i = 0; i < SIGN_IN_LIMITS.perAccount.points; i++) expect(statusOf(await send(`guess ${i}`))).toBe(400)
      // The budget is spent: even the right password is refused now, and so is sign-in.
      const refused = await send(password)
      expect(statusOf(refused)).toBe(429)
      expect((refused as { init: ResponseInit }).init.headers).toMatchObject({ 'Retry-After': expect.stringMatching(/^\d+$/) })
      const login = await call(() => loginRoute.action(args(post('/login', form({ email: guessed.email, password, redirectTo: '/app' }), ''))))
      expect(statusOf(login)).toBe(429)
    })

    it('answers 503, not 500, when password hashing is saturated', async () => {
      const user = tenant.users.analyst
      const cookie = cookieOf(await startSession(user.id, tenant.organisationId))
      setPasswordHashLimits({ concurrency: 0, maxQueue: 0 })
      const busy = await call(() => accountSessionsRoute.action(args(post('/app/account/sessions', form({ intent: 'revoke-others', currentPassword: user.password }), cookie))))
      expect(statusOf(busy)).toBe(503)
    })

    it('gives 4xx, never 5xx, for hostile bodies on both forms', async () => {
      const user = await newMember('reauth.hostile@example.test', 'a member passphrase sent in odd ways')
      const cookie = cookieOf(await startSession(user.id, tenant.organisationId))
      const file = new FormData()
      file.set('intent', 'revoke-others')
      file.set('currentPassword', new File([user.password], 'password.txt'))
      const enrolFile = new FormData()
      enrolFile.set('intent', 'enable')
      enrolFile.set('secret', 'A'.repeat(32))
      enrolFile.set('code', '123456')
      enrolFile.set('currentPassword', new File([user.password], 'password.txt'))
      const bodies: Array<[string, URLSearchParams | FormData]> = [
        ['/app/account/sessions', file],
        ['/app/account/sessions', form({ intent: 'revoke-others', currentPassword: 'x'.repeat(100_000) })],
        ['/app/account/sessions', form({ intent: 'revoke', sessionId: '-'.repeat(36), currentPassword: user.password })],
        ['/app/account/sessions', form({ intent: 'revoke', currentPassword: user.password })],
        ['/app/account/sessions', new URLSearchParams([['__proto__', 'x'], ['constructor', 'y'], ['intent', 'revoke-others']])],
        [TWO_FACTOR_ENROL_PATH, enrolFile],
        [TWO_FACTOR_ENROL_PATH, form({ intent: 'enable', secret: 'A'.repeat(32), code: '123456', currentPassword: '\u0000'.repeat(300) })],
        [TWO_FACTOR_ENROL_PATH, form({ intent: 'enable', secret: 'A'.repeat(32), code: '123456', toString: 'x', currentPassword: '' })],
      ]
      for (const [path, body] of bodies) {
        const route = path === TWO_FACTOR_ENROL_PATH ? accountTwoFactorRoute : accountSessionsRoute
        const status = statusOf(await call(() => route.action(args(post(path, body, cookie)))))
        expect(status, `${path} ${String(body)}`).toBeGreaterThanOrEqual(400)
        expect(status, `${path} ${String(body)}`).toBeLessThan(500)
      }
      expect(await totpSecretOf(user.id)).toBeNull()
      expect(await getSession(get('/app', cookie))).not.toBeNull()
    })
  })
})
