import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as loginRoute from '#app/routes/login.tsx'
import * as twoFactorStepRoute from '#app/routes/login.two-factor.tsx'
import * as forgotRoute from '#app/routes/forgot-password.tsx'
import * as resetRoute from '#app/routes/reset-password.tsx'
import * as accountRoute from '#app/routes/app.account.tsx'
import * as accountTwoFactorRoute from '#app/routes/app.account.two-factor.tsx'
import * as accountSessionsRoute from '#app/routes/app.account.sessions.tsx'
import * as usersRoute from '#app/routes/app.settings.users.tsx'
import * as inviteRoute from '#app/routes/invite.$token.tsx'
import * as dashboardRoute from '#app/routes/app.surveys.$surveyId.dashboard.tsx'
import { getSession, hashToken, startSession, TWO_FACTOR_ENROL_PATH } from '#app/utils/auth.server.ts'
import { CHALLENGE_COOKIE } from '#app/utils/sign-in-challenge.server.ts'
import { passwordResets, recoveryCodes, sessions, users } from '#db/schema.ts'
import { addMembership, createStaffInvitation, createUser, findOrganisationBySlug, findUserByEmail, listAudit, SESSION_IDLE_MINUTES } from '#db/queries/accounts.ts'
import { DEMO_ADMIN, DEMO_ORGANISATION, seedDemo } from '#db/seed.ts'
import { TWO_FACTOR_OPTIONAL_WARNING } from '#app/routes/app.settings.users.schema.ts'
import { disableTotp } from '#db/queries/account-security.ts'
import { verifyPassword } from '#db/passwords.ts'
import { CURRENT_PASSWORD_MISSING, CURRENT_PASSWORD_WRONG } from '#app/services/reauthentication.server.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'
import { resetLinkIn, startTestSmtp, type TestSmtp } from '#tests/support/smtp.ts'
import { currentStep, enrolTotpDirectly, totpCode } from '#tests/support/two-factor.ts'

/*
 * Staff accounts (issue 12; docs/security.md "Staff accounts"): change and reset password (through a real SMTP
 * server in-process), two-factor sign-in with TOTP and recovery codes, the organisation's requirement and the
 * admins' obligation, and sessions one can see and revoke. Every call goes through the real route modules.
 */

const ORIGIN = 'http://localhost'
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0'
const form = (values: Record<string, string>) => new URLSearchParams(values)
const cookieOf = (setCookie: string | null) => setCookie?.split(';')[0] ?? ''

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
function dataOf<T = Record<string, unknown>>(result: unknown): T {
  if (result && typeof result === 'object' && (result as { type?: string }).type === 'DataWithResponseInit') return (result as { data: T }).data
  return result as T
}
const args = (request: Request, params: Record<string, string> = {}, clientKey?: string) => ({ request, params, context: { clientKey } })
const post = (path: string, body: URLSearchParams, cookie = '') =>
  new Request(`${ORIGIN}${path}`, { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': FIREFOX }, body })
const get = (path: string, cookie = '') => new Request(`${ORIGIN}${path}`, { headers: { Cookie: cookie } })
const withCookie = (cookie: string) => new Request(`${ORIGIN}/app`, { headers: { Cookie: cookie } })

describe('staff accounts', () => {
  let test: TestDatabase
  let smtp: TestSmtp
  let tenant: Tenant
  let other: Tenant
  let adminCookie: string

  beforeAll(async () => {
    smtp = await startTestSmtp()
    Object.assign(process.env, smtp.env)
    test = await createTestDatabase()
    installAsAppDatabase(test)
    tenant = await createTenant(test.db, 'Accounts')
    other = await createTenant(test.db, 'Elsewhere')
    // Admins must have two-factor sign-in: the fixture's admins have it (tests/support/security-fixtures.ts).
    expect(tenant.users.admin.totpSecret).toBeDefined()
    adminCookie = cookieOf(await startSession(tenant.users.admin.id, tenant.organisationId))
  })
  afterAll(async () => {
    await test?.close()
    await smtp?.close()
  })

  async function login(email: string, password: string, clientKey?: string) {
    return call(() => loginRoute.action(args(post('/login', form({ email, password, redirectTo: '/app' })), {}, clientKey)))
  }

  describe('change password', () => {
    it('needs the current password, applies the policy, keeps this session, revokes the others, and is audited', async () => {
      const user = tenant.users.analyst
      const current = cookieOf(await startSession(user.id, tenant.organisationId))
      const elsewhere = cookieOf(await startSession(user.id, tenant.organisationId))
      const change = (values: Record<string, string>) => call(() => accountRoute.action(args(post('/app/account', form(values), current))))

      const wrong = await change({ currentPassword: 'not-my-password', newPassword: 'harbour lantern quietly', confirmPassword: 'harbour lantern quietly' })
      // 400 with the error next to the field, as on the other forms that ask for the current password
      // (app/services/reauthentication.server.ts); it was a 401 here.
      expect(statusOf(wrong)).toBe(400)
      expect(dataOf<{ fieldErrors?: { currentPassword?: string } }>(wrong).fieldErrors?.currentPassword).toBe(CURRENT_PASSWORD_WRONG)
      const missing = await change({ currentPassword: '', newPassword: 'harbour lantern quietly', confirmPassword: 'harbour lantern quietly' })
      expect(statusOf(missing)).toBe(400)
      expect(dataOf<{ fieldErrors?: { currentPassword?: string } }>(missing).fieldErrors?.currentPassword).toBe(CURRENT_PASSWORD_MISSING)
      const common = await change({ currentPassword: user.password, newPassword: 'password123', confirmPassword: 'password123' })
      expect(statusOf(common)).toBe(400)
      expect(dataOf<{ error: string }>(common).error).toMatch(/common/)
      const mismatch = await change({ currentPassword: user.password, newPassword: 'harbour lantern quietly', confirmPassword: 'harbour lantern quiet' })
      expect(statusOf(mismatch)).toBe(400)
      expect(await getSession(withCookie(elsewhere))).not.toBeNull()

      const ok = await change({ currentPassword: user.password, newPassword: 'harbour lantern quietly', confirmPassword: 'harbour lantern quietly' })
      expect(statusOf(ok)).toBe(200)
      expect(dataOf<{ ok: boolean; message: string }>(ok).message).toMatch(/1 other session/)
      expect(await getSession(withCookie(current))).not.toBeNull()
      expect(await getSession(withCookie(elsewhere))).toBeNull()
      const [row] = await test.db.select().from(users).where(eq(users.id, user.id))
      expect(await verifyPassword(row!.passwordHash, 'harbour lantern quietly')).toBe(true)
      const actions = (await listAudit(test.db, tenant.organisationId)).filter((e) => e.targetId === user.id).map((e) => e.action)
      expect(actions).toContain('account.password_changed')
      expect(actions).toContain('account.password_change_failed')
      user.password = 'harbour lantern quietly'
    })
  })

  describe('reset password by e-mail', () => {
    it('answers the same whether or not the address has an account, and mails a link only to a real account', async () => {
      const since = smtp.messages.length
      const known = await call(() => forgotRoute.action(args(post('/forgot-password', form({ email: tenant.users.viewer.email })))))
      const unknown = await call(() => forgotRoute.action(args(post('/forgot-password', form({ email: 'nobody.here@example.test' })))))
      expect(statusOf(known)).toBe(200)
      expect(statusOf(unknown)).toBe(statusOf(known))
      expect(JSON.stringify(dataOf(unknown))).toBe(JSON.stringify(dataOf(known)))
      const mail = await smtp.waitFor(tenant.users.viewer.email, { since })
      expect(mail.secure).toBe(true) // STARTTLS, through nodemailer (app/utils/mail.server.ts)
      await new Promise((r) => setTimeout(r, 500))
      expect(smtp.messages.slice(since).some((m) => m.to.includes('nobody.here@example.test'))).toBe(false)
      const link = resetLinkIn(mail)
      const token = new URL(link).searchParams.get('token')!
      expect(token.length).toBeGreaterThanOrEqual(43) // 256 bits, base64url
      // Only the token's hash is stored, and it expires within 30 minutes.
      const rows = await test.db.select().from(passwordResets).where(eq(passwordResets.userId, tenant.users.viewer.id))
      expect(rows.map((r) => r.tokenHash)).toContain(hashToken(token))
      expect(JSON.stringify(rows)).not.toContain(token)
      for (const r of rows) expect(r.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(30 * 60_000)
    })

    it('sets a new password once with the mailed link, signs out every session, and the link then fails', async () => {
      const user = tenant.users.viewer
      const open = cookieOf(await startSession(user.id, tenant.organisationId))
      const since = smtp.messages.length
      await forgotRoute.action(args(post('/forgot-password', form({ email: user.email.toUpperCase() }))))
      const link = resetLinkIn(await smtp.waitFor(user.email, { since }))
      const token = new URL(link).searchParams.get('token')!
      expect(statusOf(await call(() => resetRoute.loader(args(get(`/reset-password?token=${token}`)))))).toBe(200)
      const weak = await call(() => resetRoute.action(args(post('/reset-password', form({ token, password: 'qwertyuiop', confirm: 'qwertyuiop' })))))
      expect(statusOf(weak)).toBe(400)
      const done = await call(() => resetRoute.action(args(post('/reset-password', form({ token, password: 'copper kettle meadow', confirm: 'copper kettle meadow' })))))
      expect(statusOf(done)).toBe(302)
      expect((done as Response).headers.get('Location')).toBe('/login?reset=1')
      expect(await getSession(withCookie(open))).toBeNull()
      const again = await call(() => resetRoute.action(args(post('/reset-password', form({ token, password: 'another fine password', confirm: 'another fine password' })))))
      expect(statusOf(again)).toBe(404)
      expect(statusOf(await login(user.email, 'copper kettle meadow'))).toBe(302)
      user.password = 'copper kettle meadow'
      const actions = (await listAudit(test.db, tenant.organisationId)).filter((e) => e.targetId === user.id).map((e) => e.action)
      expect(actions).toEqual(expect.arrayContaining(['account.password_reset_requested', 'account.password_reset']))
    })

    it('refuses an expired link and a made-up one', async () => {
      const user = tenant.users.viewer
      const since = smtp.messages.length
      await forgotRoute.action(args(post('/forgot-password', form({ email: user.email }))))
      const token = new URL(resetLinkIn(await smtp.waitFor(user.email, { since }))).searchParams.get('token')!
      await test.db.update(passwordResets).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(passwordResets.tokenHash, hashToken(token)))
      expect(statusOf(await call(() => resetRoute.loader(args(get(`/reset-password?token=${token}`)))))).toBe(404)
      expect(statusOf(await call(() => resetRoute.loader(args(get('/reset-password?token=chosen-by-an-attacker-0123456789abcdef'))))) ).toBe(404)
    })

    it('a password reset does not bypass two-factor sign-in', async () => {
      const user = other.users.admin
      expect(user.totpSecret).toBeDefined()
      const since = smtp.messages.length
      await forgotRoute.action(args(post('/forgot-password', form({ email: user.email }))))
      const token = new URL(resetLinkIn(await smtp.waitFor(user.email, { since }))).searchParams.get('token')!
      const done = await call(() => resetRoute.action(args(post('/reset-password', form({ token, password: 'granite willow harbour', confirm: 'granite willow harbour' })))))
      expect(statusOf(done)).toBe(302)
      const signIn = (await login(user.email, 'granite willow harbour')) as Response
      expect(signIn.status).toBe(302)
      expect(signIn.headers.get('Location')).toBe('/login/two-factor')
      expect(signIn.headers.get('Set-Cookie')).not.toContain('__Host-cse_session')
      user.password = 'granite willow harbour'
    })

    it('is limited by the sign-in limits for the address typed, whether or not it has an account', async () => {
      let last: unknown
      for (let i = 0; i < 11; i++) last = await call(() => forgotRoute.action(args(post('/forgot-password', form({ email: 'flooded@example.test' })))))
      expect(statusOf(last)).toBe(429)
    })
  })

  describe('two-factor sign-in', () => {
    let secret: string
    let codes: string[]
    const user = () => tenant.users.analyst

    it('enrols with a QR code and a typed code, and gives ten single-use recovery codes stored hashed', async () => {
      const cookie = cookieOf(await startSession(user().id, tenant.organisationId))
      const page = dataOf<{ enabled: boolean; qrSvg: string; secret: string }>(await accountTwoFactorRoute.loader(args(get(TWO_FACTOR_ENROL_PATH, cookie))))
      expect(page.enabled).toBe(false)
      expect(page.qrSvg).toMatch(/^<svg/)
      secret = page.secret.replace(/\s/g, '')
      expect(secret).toMatch(/^[A-Z2-7]{32}$/) // 160 bits
      const wrong = await call(() => accountTwoFactorRoute.action(args(post(TWO_FACTOR_ENROL_PATH, form({ intent: 'enable', secret, code: '000000' === totpCode(secret) ? '111111' : '000000', currentPassword: user().password }), cookie))))
      expect(statusOf(wrong)).toBe(401)
      // A weaker secret of one's own choosing is refused.
      const weak = await call(() => accountTwoFactorRoute.action(args(post(TWO_FACTOR_ENROL_PATH, form({ intent: 'enable', secret: 'JBSWY3DPEHPK3PXP', code: totpCode('JBSWY3DPEHPK3PXP'), currentPassword: user().password }), cookie))))
      expect(statusOf(weak)).toBe(400)
      // Nothing was written by showing the page.
      const [before] = await test.db.select().from(users).where(eq(users.id, user().id))
      expect(before!.totpSecret).toBeNull()
      const ok = await call(() => accountTwoFactorRoute.action(args(post(TWO_FACTOR_ENROL_PATH, form({ intent: 'enable', secret, code: totpCode(secret), currentPassword: user().password }), cookie))))
      expect(statusOf(ok)).toBe(200)
      codes = dataOf<{ recoveryCodes: string[] }>(ok).recoveryCodes
      expect(codes).toHaveLength(10)
      expect(new Set(codes).size).toBe(10)
      const stored = await test.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user().id))
      expect(stored).toHaveLength(10)
      for (const code of codes) expect(JSON.stringify(stored)).not.toContain(code.replace(/-/g, ''))
      const actions = (await listAudit(test.db, tenant.organisationId)).filter((e) => e.targetId === user().id).map((e) => e.action)
      expect(actions).toContain('account.two_factor_enabled')
    })

    it('asks for a code after the password: no session until then; a code works once; a recovery code works once', async () => {
      const first = (await login(user().email, user().password)) as Response
      expect(first.status).toBe(302)
      expect(first.headers.get('Location')).toBe('/login/two-factor')
      const challenge = cookieOf(first.headers.get('Set-Cookie'))
      expect(challenge.startsWith(`${CHALLENGE_COOKIE}=`)).toBe(true)
      expect(await getSession(withCookie(challenge))).toBeNull()
      // The confirming code's step was used at enrolment: the next step's code is needed (clock drift allows +1).
      const step = (c: string, code: string) => call(() => twoFactorStepRoute.action(args(post('/login/two-factor', form({ code }), c))))
      expect(statusOf(await step(challenge, totpCode(secret, currentStep() - 5)))).toBe(401)
      const code = totpCode(secret, currentStep() + 1)
      const done = (await step(challenge, code)) as Response
      expect(done.status).toBe(302)
      expect(done.headers.get('Location')).toBe('/app')
      const sessionCookie = done.headers.getSetCookie().map((c) => c.split(';')[0]!).find((c) => c.startsWith('__Host-cse_session='))!
      expect(await getSession(withCookie(sessionCookie))).not.toBeNull()
      // The challenge is used up, and the same code replayed with a fresh challenge is refused.
      expect(statusOf(await step(challenge, code))).toBe(302) // back to /login: the challenge is gone
      const second = cookieOf(((await login(user().email, user().password)) as Response).headers.get('Set-Cookie'))
      expect(statusOf(await step(second, code))).toBe(401)
      const recovery = await step(second, codes[0]!.toUpperCase())
      expect(statusOf(recovery)).toBe(302)
      const third = cookieOf(((await login(user().email, user().password)) as Response).headers.get('Set-Cookie'))
      expect(statusOf(await step(third, codes[0]!))).toBe(401)
      const actions = (await listAudit(test.db, tenant.organisationId)).filter((e) => e.userEmail === user().email).map((e) => e.action)
      expect(actions).toContain('auth.two_factor_failed')
    })

    it('asks for the code too when an account with two-factor sign-in joins another organisation by invitation', async () => {
      const token = `join-${Date.now()}-0123456789abcdefghijklmnopqrstuvwxyz`
      await createStaffInvitation(test.db, {
        organisationId: other.organisationId,
        email: user().email,
        role: 'viewer',
        tokenHash: hashToken(token),
        invitedBy: other.users.admin.id,
        expiresAt: new Date(Date.now() + 86_400_000),
      })
      const res = (await call(() => inviteRoute.action(args(post(`/invite/${token}`, form({ intent: 'join', password: user().password })), { token })))) as Response
      expect(res.status).toBe(302)
      expect(res.headers.get('Location')).toBe('/login/two-factor')
      expect(res.headers.get('Set-Cookie')).toMatch(new RegExp(`^${CHALLENGE_COOKIE}=`))
      expect(res.headers.get('Set-Cookie')).not.toContain('__Host-cse_session')
    })

    it('counts failed codes against the sign-in limits (429), and a right password gives no fresh budget', async () => {
      const clientKey = 'two-factor-flood-client'
      let last: unknown
      for (let i = 0; i < 12; i++) {
        const start = (await login(user().email, user().password, clientKey)) as Response | unknown
        if (statusOf(start) === 429) {
          last = start
          break
        }
        const c = cookieOf((start as Response).headers.get('Set-Cookie'))
        last = await call(() => twoFactorStepRoute.action(args(post('/login/two-factor', form({ code: '12345' + (i % 10) }), c), {}, clientKey)))
        if (statusOf(last) === 429) break
      }
      expect(statusOf(last)).toBe(429)
    })

    it('turns off only with a code, and is audited', async () => {
      const cookie = cookieOf(await startSession(tenant.users.viewer.id, tenant.organisationId))
      const viewerSecret = await enrolTotpDirectly(test.db, tenant.users.viewer.id)
      const refused = await call(() => accountTwoFactorRoute.action(args(post(TWO_FACTOR_ENROL_PATH, form({ intent: 'disable', code: '999999' === totpCode(viewerSecret) ? '888888' : '999999' }), cookie))))
      expect(statusOf(refused)).toBe(401)
      const off = await call(() => accountTwoFactorRoute.action(args(post(TWO_FACTOR_ENROL_PATH, form({ intent: 'disable', code: totpCode(viewerSecret) }), cookie))))
      expect(statusOf(off)).toBe(200)
      const [row] = await test.db.select().from(users).where(eq(users.id, tenant.users.viewer.id))
      expect(row!.totpSecret).toBeNull()
      const actions = (await listAudit(test.db, tenant.organisationId)).filter((e) => e.targetId === tenant.users.viewer.id).map((e) => e.action)
      expect(actions).toContain('account.two_factor_disabled')
    })
  })

  describe('who must use two-factor sign-in', () => {
    const dashboard = (cookie: string) =>
      call(() => dashboardRoute.loader(args(get(`/app/surveys/${tenant.surveyId}/dashboard`, cookie), { surveyId: tenant.surveyId })))

    it('sends an admin without it to enrolment from every other staff page and action, but not from enrolment', async () => {
      const fresh = await createTenant(test.db, 'Unenrolled')
      await disableTotp(test.db, fresh.users.admin.id)
      const cookie = cookieOf(await startSession(fresh.users.admin.id, fresh.organisationId))
      const res = await call(() => usersRoute.loader(args(get('/app/settings/users', cookie))))
      expect(statusOf(res)).toBe(302)
      expect((res as Response).headers.get('Location')).toBe(`${TWO_FACTOR_ENROL_PATH}?required=1`)
      const act = await call(() => usersRoute.action(args(post('/app/settings/users', form({ intent: 'require-two-factor', required: 'on' }), cookie))))
      expect(statusOf(act)).toBe(302)
      const page = await call(() => accountTwoFactorRoute.loader(args(get(TWO_FACTOR_ENROL_PATH, cookie))))
      expect(statusOf(page)).toBe(200)
      expect(dataOf<{ mustEnrol: boolean }>(page).mustEnrol).toBe(true)
      // An analyst of the same organisation is not asked, until the organisation requires it.
      const analyst = cookieOf(await startSession(fresh.users.analyst.id, fresh.organisationId))
      expect(statusOf(await call(() => accountRoute.loader(args(get('/app/account', analyst)))))).toBe(200)
    })

    it('lets only admins require it for every member; then members without it are sent to enrolment', async () => {
      const analystCookie = cookieOf(await startSession(tenant.users.viewer.id, tenant.organisationId))
      expect(statusOf(await dashboard(analystCookie))).toBe(200)
      const byAnalyst = await call(() => usersRoute.action(args(post('/app/settings/users', form({ intent: 'require-two-factor', required: 'on' }), analystCookie))))
      expect(statusOf(byAnalyst)).toBe(403)
      const byAdmin = await call(() => usersRoute.action(args(post('/app/settings/users', form({ intent: 'require-two-factor', required: 'on' }), adminCookie))))
      expect(statusOf(byAdmin)).toBe(200)
      const sent = await dashboard(analystCookie)
      expect(statusOf(sent)).toBe(302)
      expect((sent as Response).headers.get('Location')).toBe(`${TWO_FACTOR_ENROL_PATH}?required=1`)
      // The analyst with two-factor sign-in (enrolled above) is not affected.
      const enrolled = cookieOf(await startSession(tenant.users.analyst.id, tenant.organisationId))
      expect(statusOf(await dashboard(enrolled))).toBe(200)
      const audit = (await listAudit(test.db, tenant.organisationId)).find((e) => e.action === 'organisation.two_factor_requirement_changed')
      expect(audit?.details).toEqual({ required: true })
      await usersRoute.action(args(post('/app/settings/users', form({ intent: 'require-two-factor' }), adminCookie)))
      expect(statusOf(await dashboard(analystCookie))).toBe(200)
    })

    it('is required of every member of the demo organisation by default; an admin can turn it off, warned that this departs from ASVS Level 2, audited', async () => {
      // Organisations made by the operator page and the command line: tests/integration/operator-organisations.test.ts.
      expect(await seedDemo(test.db, { responses: 0 })).toBe(true)
      const demo = (await findOrganisationBySlug(test.db, DEMO_ORGANISATION.slug))!
      expect(demo.requireTwoFactor).toBe(true)
      const admin = (await findUserByEmail(test.db, DEMO_ADMIN.email))!
      await enrolTotpDirectly(test.db, admin.id)
      const demoAdmin = cookieOf(await startSession(admin.id, demo.id))
      const viewer = await createUser(test.db, `viewer.${demo.id.slice(0, 8)}@demo.example`, 'Demo Viewer', 'x')
      await addMembership(test.db, demo.id, viewer.id, 'viewer')
      const viewerCookie = cookieOf(await startSession(viewer.id, demo.id))
      const users = () => call(() => usersRoute.loader(args(get('/app/settings/users', demoAdmin))))
      expect(dataOf<{ requireTwoFactor: boolean }>(await users()).requireTwoFactor).toBe(true)
      const sent = await call(() => accountRoute.loader(args(get('/app/account', viewerCookie))))
      expect((sent as Response).headers.get('Location')).toBe(`${TWO_FACTOR_ENROL_PATH}?required=1`)

      const off = await call(() => usersRoute.action(args(post('/app/settings/users', form({ intent: 'require-two-factor' }), demoAdmin))))
      expect(statusOf(off)).toBe(200)
      expect(dataOf<{ message: string }>(off).message).toContain(TWO_FACTOR_OPTIONAL_WARNING)
      expect(TWO_FACTOR_OPTIONAL_WARNING).toMatch(/departs from OWASP ASVS Level 2/)
      expect(dataOf<{ requireTwoFactor: boolean }>(await users()).requireTwoFactor).toBe(false)
      expect(statusOf(await call(() => accountRoute.loader(args(get('/app/account', viewerCookie)))))).toBe(200)
      const [entry] = await listAudit(test.db, demo.id, { action: 'organisation.two_factor_requirement_changed' })
      expect(entry).toMatchObject({ userEmail: DEMO_ADMIN.email, details: { required: false } })
    })
  })

  describe('sessions', () => {
    it('lists one’s own sessions with a coarse browser summary and no address, and revokes any of them', async () => {
      const user = tenant.users.viewer
      const signedIn = (await login(user.email, user.password)) as Response
      const mine = cookieOf(signedIn.headers.get('Set-Cookie'))
      const other = cookieOf(await startSession(user.id, tenant.organisationId))
      const list = dataOf<{ sessions: Array<{ id: string; browser: string; current: boolean }> }>(await accountSessionsRoute.loader(args(get('/app/account/sessions', mine))))
      const current = list.sessions.find((s) => s.current)!
      expect(current.browser).toBe('Firefox on Windows')
      expect(list.sessions.length).toBeGreaterThanOrEqual(2)
      const [row] = await test.db.select().from(sessions).where(eq(sessions.id, current.id))
      expect(row!.userAgent).toBe('Firefox on Windows')
      const otherId = list.sessions.find((s) => !s.current && s.browser === 'Unknown browser')!.id
      expect(statusOf(await call(() => accountSessionsRoute.action(args(post('/app/account/sessions', form({ intent: 'revoke', sessionId: otherId, currentPassword: user.password }), mine)))))).toBe(200)
      expect(await getSession(withCookie(other))).toBeNull()
      expect(await getSession(withCookie(mine))).not.toBeNull()
      // Another person's session id matches nothing.
      const adminSessionId = (await getSession(withCookie(adminCookie)))!.sessionId
      expect(statusOf(await call(() => accountSessionsRoute.action(args(post('/app/account/sessions', form({ intent: 'revoke', sessionId: adminSessionId, currentPassword: user.password }), mine)))))).toBe(404)
      expect(await getSession(withCookie(adminCookie))).not.toBeNull()
      const actions = (await listAudit(test.db, tenant.organisationId)).filter((e) => e.targetId === user.id).map((e) => e.action)
      expect(actions).toContain('account.session_revoked')
    })

    it('ends a session after an hour without a request, and keeps one in use alive', async () => {
      const user = tenant.users.viewer
      const idle = cookieOf(await startSession(user.id, tenant.organisationId))
      const busy = cookieOf(await startSession(user.id, tenant.organisationId))
      const idleId = (await getSession(withCookie(idle)))!.sessionId
      const busyId = (await getSession(withCookie(busy)))!.sessionId
      await test.db.update(sessions).set({ lastSeenAt: new Date(Date.now() - (SESSION_IDLE_MINUTES + 1) * 60_000) }).where(eq(sessions.id, idleId))
      await test.db.update(sessions).set({ lastSeenAt: new Date(Date.now() - (SESSION_IDLE_MINUTES - 5) * 60_000) }).where(eq(sessions.id, busyId))
      expect(await getSession(withCookie(idle))).toBeNull()
      expect(await getSession(withCookie(busy))).not.toBeNull()
      // That request counted as activity: last seen is now.
      const [row] = await test.db.select().from(sessions).where(eq(sessions.id, busyId))
      expect(Date.now() - row!.lastSeenAt.getTime()).toBeLessThan(60_000)
    })

    it('lets an admin see and revoke a member’s sessions from the users page, in their own organisation only', async () => {
      const member = tenant.users.viewer
      const memberCookie = cookieOf(await startSession(member.id, tenant.organisationId))
      const page = dataOf<{ members: Array<{ userId: string; sessions: Array<{ id: string }> }> }>(await usersRoute.loader(args(get('/app/settings/users', adminCookie))))
      const listed = page.members.find((m) => m.userId === member.id)!
      expect(listed.sessions.length).toBeGreaterThanOrEqual(1)
      const otherCookie = cookieOf(await startSession(other.users.viewer.id, other.organisationId))
      const cross = await call(() => usersRoute.action(args(post('/app/settings/users', form({ intent: 'revoke-sessions', userId: other.users.viewer.id }), adminCookie))))
      expect(statusOf(cross)).toBe(404)
      expect(await getSession(withCookie(otherCookie))).not.toBeNull()
      const done = await call(() => usersRoute.action(args(post('/app/settings/users', form({ intent: 'revoke-sessions', userId: member.id }), adminCookie))))
      expect(statusOf(done)).toBe(200)
      expect(await getSession(withCookie(memberCookie))).toBeNull()
      const audit = (await listAudit(test.db, tenant.organisationId)).find((e) => e.action === 'users.sessions_revoked')
      expect(audit?.targetId).toBe(member.id)
    })
  })
})
