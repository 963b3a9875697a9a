import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as loginRoute from '#app/routes/login.tsx'
import * as twoFactorStepRoute from '#app/routes/login.two-factor.tsx'
import * as accountTwoFactorRoute from '#app/routes/app.account.two-factor.tsx'
import * as usersRoute from '#app/routes/app.settings.users.tsx'
import * as operatorRoute from '#app/routes/operator.organisations.tsx'
import * as operatorTwoFactorRoute from '#app/routes/operator.two-factor.tsx'
import * as dashboardRoute from '#app/routes/app.surveys.$surveyId.dashboard.tsx'
import { getSession, startSession, TWO_FACTOR_ENROL_PATH } from '#app/utils/auth.server.ts'
import { CHALLENGE_COOKIE } from '#app/utils/sign-in-challenge.server.ts'
import { hashPassword } from '#db/passwords.ts'
import { addMembership, createUser, findOrganisationBySlug, listAudit } from '#db/queries/accounts.ts'
import { setOrganisationRequiresTwoFactor } from '#db/queries/account-security.ts'
import { setOperator } from '#db/queries/operators.ts'
import { recoveryCodes, users } from '#db/schema.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'
import { call, cookieOf, dataOf, form, locationOf, statusOf } from '#tests/support/route-calls.ts'
import { currentStep, enrolTotpDirectly, totpCode } from '#tests/support/two-factor.ts'

/*
 * Issue 12, the two-factor gaps: platform operators must use two-factor sign-in (set up at first sign-in, on
 * /operator/two-factor when they belong to no organisation), and an organisation admin can reset a member's lost
 * second factor from the users page (own organisation only, never their own, confirmed, audited; the member is
 * signed out and sets it up again). Every call goes through the real route modules. Secrets at rest are in
 * tests/integration/totp-secret-encryption.test.ts.
 */

const ORIGIN = 'http://localhost'
const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context: {} })
const post = (path: string, body: URLSearchParams, cookie = '') =>
  new Request(`${ORIGIN}${path}`, { method: 'POST', headers: { Cookie: cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' }, body })
const get = (path: string, cookie = '') => new Request(`${ORIGIN}${path}`, { headers: { Cookie: cookie } })
const withCookie = (cookie: string) => new Request(`${ORIGIN}/app`, { headers: { Cookie: cookie } })

let test: TestDatabase
let tenant: Tenant
let other: Tenant
let adminCookie: string
let otherAdminCookie: string

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  tenant = await createTenant(test.db, 'Reset')
  other = await createTenant(test.db, 'Faraway')
  adminCookie = cookieOf(await startSession(tenant.users.admin.id, tenant.organisationId))
  otherAdminCookie = cookieOf(await startSession(other.users.admin.id, other.organisationId))
})
afterAll(async () => {
  await test?.close()
})

async function userRow(id: string) {
  const [row] = await test.db.select().from(users).where(eq(users.id, id))
  return row!
}
async function unusedRecoveryCodes(userId: string) {
  return (await test.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, userId))).filter((c) => c.usedAt === null).length
}

describe('platform operators must use two-factor sign-in', () => {
  const OPERATOR = { email: 'two.factor.ops@platform.example', password: 'operators keep their own passphrase' }
  let operatorId: string

  beforeAll(async () => {
    const operator = await createUser(test.db, OPERATOR.email, 'Otto Operator', await hashPassword(OPERATOR.password))
    operatorId = operator.id
    await setOperator(test.db, operator.id, true)
  })

  it('sends an operator without it from the operator page (GET and POST) to set it up, and creates nothing meanwhile', async () => {
    const signIn = (await call(() => loginRoute.action(args(post('/login', form({ email: OPERATOR.email, password: OPERATOR.password })))))) as Response
    expect(signIn.status).toBe(302)
    expect(signIn.headers.get('Location')).toBe('/operator/organisations')
    const cookie = cookieOf(signIn.headers.get('Set-Cookie'))
    const page = await call(() => operatorRoute.loader(args(get('/operator/organisations', cookie))))
    expect(statusOf(page)).toBe(302)
    expect(locationOf(page)).toBe('/operator/two-factor?required=1')
    const create = await call(() => operatorRoute.action(args(post('/operator/organisations', form({ name: 'Early Council', slug: 'early', adminEmail: 'a@early.example' }), cookie))))
    expect(statusOf(create)).toBe(302)
    expect(await findOrganisationBySlug(test.db, 'early')).toBeNull()
  })

  it('is a 404 on /operator/two-factor for anyone who is not an operator, signed in or not', async () => {
    for (const cookie of ['', adminCookie]) {
      expect(statusOf(await call(() => operatorTwoFactorRoute.loader(args(get('/operator/two-factor', cookie)))))).toBe(404)
      const refused = await call(() => operatorTwoFactorRoute.action(args(post('/operator/two-factor', form({ intent: 'enable', secret: 'A'.repeat(32), code: '123456' }), cookie))))
      expect(statusOf(refused)).toBe(404)
    }
  })

  it('sets it up on /operator/two-factor with a code; the operator page then opens and the next sign-in asks for a code', async () => {
    const cookie = cookieOf(await startSession(operatorId, null))
    const offer = dataOf<{ secret: string; rawSecret: string; qrSvg: string }>(await operatorTwoFactorRoute.loader(args(get('/operator/two-factor', cookie))))
    expect(offer.qrSvg).toMatch(/^<svg/)
    const secret = offer.rawSecret
    const wrong = await call(() => operatorTwoFactorRoute.action(args(post('/operator/two-factor', form({ intent: 'enable', secret, code: totpCode(secret) === '000000' ? '111111' : '000000', currentPassword: OPERATOR.password }), cookie))))
    expect(statusOf(wrong)).toBe(401)
    expect((await userRow(operatorId)).totpSecret).toBeNull()
    const ok = await call(() => operatorTwoFactorRoute.action(args(post('/operator/two-factor', form({ intent: 'enable', secret, code: totpCode(secret), currentPassword: OPERATOR.password }), cookie))))
    expect(statusOf(ok)).toBe(200)
    expect(dataOf<{ recoveryCodes: string[] }>(ok).recoveryCodes).toHaveLength(10)
    expect(await unusedRecoveryCodes(operatorId)).toBe(10)
    // Stored sealed, never as the base32 secret (app/utils/totp-secret-box.server.ts).
    const stored = (await userRow(operatorId)).totpSecret!
    expect(stored.startsWith('enc1.')).toBe(true)
    expect(stored).not.toContain(secret)
    expect(statusOf(await call(() => operatorRoute.loader(args(get('/operator/organisations', cookie)))))).toBe(200)
    // Set up once: the set-up page says so and leads on (no redirect, which would hide the recovery codes from a
    // browser without JavaScript: tests/integration/two-factor-setup-no-js.test.ts), and offers no new secret.
    const after = await call(() => operatorTwoFactorRoute.loader(args(get('/operator/two-factor', cookie))))
    expect(statusOf(after)).toBe(200)
    expect(dataOf(after)).toEqual({ enabled: true, email: OPERATOR.email, next: '/operator/organisations' })

    const signIn = (await call(() => loginRoute.action(args(post('/login', form({ email: OPERATOR.email, password: OPERATOR.password })))))) as Response
    expect(signIn.headers.get('Location')).toBe('/login/two-factor')
    expect(signIn.headers.get('Set-Cookie')).not.toContain('__Host-cse_session')
    const challenge = cookieOf(signIn.headers.get('Set-Cookie'))
    expect(challenge.startsWith(`${CHALLENGE_COOKIE}=`)).toBe(true)
    const step = (await call(() => twoFactorStepRoute.action(args(post('/login/two-factor', form({ code: totpCode(secret, currentStep() + 1) }), challenge))))) as Response
    expect(step.status).toBe(302)
    expect(step.headers.get('Location')).toBe('/operator/organisations')
  })

  it('an operator who is also a member is sent to the staff set-up page from every staff page, whatever the role', async () => {
    const member = await createUser(test.db, 'viewer.operator@platform.example', 'Vera Viewer-Operator', await hashPassword('another long operator passphrase'))
    await setOperator(test.db, member.id, true)
    await addMembership(test.db, tenant.organisationId, member.id, 'viewer')
    const cookie = cookieOf(await startSession(member.id, tenant.organisationId))
    const dashboard = await call(() => dashboardRoute.loader(args(get(`/app/surveys/${tenant.surveyId}/dashboard`, cookie), { surveyId: tenant.surveyId })))
    expect(locationOf(dashboard)).toBe(`${TWO_FACTOR_ENROL_PATH}?required=1`)
    const page = dataOf<{ mustEnrol: boolean; requiredBecause: string }>(await accountTwoFactorRoute.loader(args(get(TWO_FACTOR_ENROL_PATH, cookie))))
    expect(page).toMatchObject({ mustEnrol: true, requiredBecause: 'operator' })
    // Not an operator any more: a viewer need not.
    await setOperator(test.db, member.id, false)
    expect(statusOf(await call(() => dashboardRoute.loader(args(get(`/app/surveys/${tenant.surveyId}/dashboard`, cookie), { surveyId: tenant.surveyId }))))).toBe(200)
  })
})

describe('an admin resets a member’s lost second factor', () => {
  const reset = (userId: string, cookie: string, confirm = true) =>
    call(() => usersRoute.action(args(post('/app/settings/users', form({ intent: 'reset-two-factor', userId, ...(confirm ? { confirm: 'on' } : {}) }), cookie))))

  it('needs the confirmation, then clears the factor and recovery codes, signs the member out everywhere, and is audited', async () => {
    const member = tenant.users.analyst
    await enrolTotpDirectly(test.db, member.id)
    await test.db.insert(recoveryCodes).values([{ userId: member.id, codeHash: 'a'.repeat(64) }, { userId: member.id, codeHash: 'b'.repeat(64) }])
    const sessionsOfMember = [cookieOf(await startSession(member.id, tenant.organisationId)), cookieOf(await startSession(member.id, tenant.organisationId))]
    // A sign-in waiting for its code ends too.
    const signIn = (await call(() => loginRoute.action(args(post('/login', form({ email: member.email, password: member.password })))))) as Response
    expect(signIn.headers.get('Location')).toBe('/login/two-factor')
    const challenge = cookieOf(signIn.headers.get('Set-Cookie'))

    const unconfirmed = await reset(member.id, adminCookie, false)
    expect(statusOf(unconfirmed)).toBe(400)
    expect((await userRow(member.id)).totpSecret).not.toBeNull()
    expect(await getSession(withCookie(sessionsOfMember[0]!))).not.toBeNull()

    const done = await reset(member.id, adminCookie)
    expect(statusOf(done)).toBe(200)
    expect(dataOf<{ ok: boolean; message: string }>(done)).toMatchObject({ ok: true })
    const row = await userRow(member.id)
    expect(row).toMatchObject({ totpSecret: null, totpEnabledAt: null, totpLastStep: null })
    expect(await test.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, member.id))).toEqual([])
    for (const cookie of sessionsOfMember) expect(await getSession(withCookie(cookie))).toBeNull()
    expect(statusOf(await call(() => twoFactorStepRoute.loader(args(get('/login/two-factor', challenge)))))).toBe(302)
    const [entry] = await listAudit(test.db, tenant.organisationId, { action: 'users.two_factor_reset' })
    expect(entry).toMatchObject({ userEmail: tenant.users.admin.email, targetId: member.id, details: { email: member.email, sessionsRevoked: 2 } })
    // Nothing to reset any more.
    expect(statusOf(await reset(member.id, adminCookie))).toBe(409)
  })

  it('then, where the organisation requires it, the member sets it up again at the next sign-in', async () => {
    const member = tenant.users.analyst
    await setOrganisationRequiresTwoFactor(test.db, tenant.organisationId, true)
    try {
      const signIn = (await call(() => loginRoute.action(args(post('/login', form({ email: member.email, password: member.password })))))) as Response
      expect(signIn.status).toBe(302)
      const cookie = cookieOf(signIn.headers.get('Set-Cookie'))
      const dashboard = await call(() => dashboardRoute.loader(args(get(`/app/surveys/${tenant.surveyId}/dashboard`, cookie), { surveyId: tenant.surveyId })))
      expect(locationOf(dashboard)).toBe(`${TWO_FACTOR_ENROL_PATH}?required=1`)
    } finally {
      await setOrganisationRequiresTwoFactor(test.db, tenant.organisationId, false)
    }
  })

  it('an admin cannot reset their own this way', async () => {
    const refused = await reset(tenant.users.admin.id, adminCookie)
    expect(statusOf(refused)).toBe(409)
    expect(dataOf<{ error: string }>(refused).error).toContain('recovery codes')
    expect((await userRow(tenant.users.admin.id)).totpSecret).not.toBeNull()
    expect(await getSession(withCookie(adminCookie))).not.toBeNull()
  })

  it('cannot touch a member of another organisation (404), and only admins may reset (403)', async () => {
    const victim = other.users.viewer
    await enrolTotpDirectly(test.db, victim.id)
    const victimCookie = cookieOf(await startSession(victim.id, other.organisationId))
    expect(statusOf(await reset(victim.id, adminCookie))).toBe(404)
    for (const role of ['viewer', 'analyst'] as const) {
      const cookie = cookieOf(await startSession(other.users[role].id, other.organisationId))
      expect(statusOf(await reset(victim.id, cookie))).toBe(403)
    }
    expect((await userRow(victim.id)).totpSecret).not.toBeNull()
    expect(await getSession(withCookie(victimCookie))).not.toBeNull()
    // Their own admin can.
    expect(statusOf(await reset(victim.id, otherAdminCookie))).toBe(200)
  })

  it('does not reset a platform operator’s, and tells the member’s other organisations when it resets one', async () => {
    const shared = await createUser(test.db, 'shared.member@example.test', 'Sam Shared', await hashPassword('a shared member passphrase'))
    await addMembership(test.db, tenant.organisationId, shared.id, 'viewer')
    await addMembership(test.db, other.organisationId, shared.id, 'analyst')
    await enrolTotpDirectly(test.db, shared.id)
    await setOperator(test.db, shared.id, true)
    // The page does not offer it (app/routes/app.settings.users.tsx), and the server refuses it anyway.
    const page = dataOf<{ members: Array<{ userId: string; isOperator: boolean; twoFactor: boolean }> }>(await usersRoute.loader(args(get('/app/settings/users', adminCookie))))
    expect(page.members.find((m) => m.userId === shared.id)).toMatchObject({ isOperator: true, twoFactor: true })
    expect(statusOf(await reset(shared.id, adminCookie))).toBe(409)
    expect((await userRow(shared.id)).totpSecret).not.toBeNull()
    await setOperator(test.db, shared.id, false)
    expect(statusOf(await reset(shared.id, adminCookie))).toBe(200)
    const [there] = await listAudit(test.db, other.organisationId, { action: 'account.two_factor_reset_by_admin' })
    expect(there).toMatchObject({ targetId: shared.id, userEmail: tenant.users.admin.email })
  })
})
