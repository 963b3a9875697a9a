import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eq } from 'drizzle-orm'
import { openDatabase } from '#db/client.ts'
import { hashPassword } from '#db/passwords.ts'
import { createUser, findOrganisationBySlug, findUserByEmail, listAudit, listMemberships } from '#db/queries/accounts.ts'
import { countOperators, isOperator, setOperator } from '#db/queries/operators.ts'
import { staffInvitations } from '#db/schema.ts'
import { action as operatorAction, loader as operatorLoader } from '#app/routes/operator.organisations.tsx'
import { acceptInvitation } from '#app/routes/invite.$token.server.ts'
import { handleLogin } from '#app/routes/login.server.ts'
import { handleBuilderAction } from '#app/routes/app.surveys.$surveyId.edit.server.ts'
import { startSession } from '#app/utils/auth.server.ts'
import { createTestDatabase, installAsAppDatabase, preparePgliteDir, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'
import { enrolTotpDirectly } from '#tests/support/two-factor.ts'

/*
 * Organisations by a platform operator (issue 12): only operators reach /operator/organisations (404 for
 * everyone else, signed in or not); they, and `npm run org:create`, create an organisation with a one-time
 * invitation for its first admin, never a password; `npm run operator:create` makes an operator with a
 * password it reads, never prints. Also the audit entries issue 12 finding 7 found missing: failed sign-ins
 * and builder edits.
 */

let test: TestDatabase
let tenant: Tenant
let operatorCookie: string
let adminCookie: string
const origin = 'http://localhost'
const OPERATOR = { email: 'ops@platform.example', password: 'correct horse battery staple 42' }

async function settle(call: () => Promise<unknown>): Promise<{ status: number; data: unknown; location?: string | null }> {
  let result: unknown
  try {
    result = await call()
  } catch (thrown) {
    result = thrown
  }
  if (result instanceof Response) return { status: result.status, data: await result.text(), location: result.headers.get('Location') }
  if (result && typeof result === 'object' && (result as { type?: string }).type === 'DataWithResponseInit') {
    const d = result as { data: unknown; init: ResponseInit | null }
    return { status: d.init?.status ?? 200, data: d.data }
  }
  if (result instanceof Error) throw result
  return { status: 200, data: result }
}

const page = (cookie?: string) =>
  settle(() => operatorLoader({ request: new Request(`${origin}/operator/organisations`, { headers: cookie ? { Cookie: cookie } : {} }), params: {}, context: {} }))
const create = (cookie: string | undefined, body: Record<string, string>) =>
  settle(() =>
    operatorAction({
      request: new Request(`${origin}/operator/organisations`, {
        method: 'POST',
        headers: { ...(cookie ? { Cookie: cookie } : {}), Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body),
      }),
      params: {},
      context: {},
    }),
  )

beforeAll(async () => {
  test = await createTestDatabase()
  installAsAppDatabase(test)
  tenant = await createTenant(test.db, 'Ops')
  const operator = await createUser(test.db, OPERATOR.email, 'Platform Operator', await hashPassword(OPERATOR.password))
  await setOperator(test.db, operator.id, true)
  // Operators must use two-factor sign-in (tests/integration/security-two-factor-admin.test.ts): this one has.
  await enrolTotpDirectly(test.db, operator.id)
  operatorCookie = (await startSession(operator.id, null)).split(';')[0]!
  adminCookie = (await startSession(tenant.users.admin.id, tenant.organisationId)).split(';')[0]!
})
afterAll(async () => {
  await test?.close()
})

describe('/operator/organisations', () => {
  it('is a 404 for anyone who is not an operator, signed in or not, and creates nothing for them', async () => {
    expect((await page()).status).toBe(404)
    expect((await page(adminCookie)).status).toBe(404)
    const refused = await create(adminCookie, { name: 'Sneaky Council', slug: 'sneaky', adminEmail: 'x@sneaky.example' })
    expect(refused.status).toBe(404)
    expect((await create(undefined, { name: 'Sneaky Council', slug: 'sneaky', adminEmail: 'x@sneaky.example' })).status).toBe(404)
    expect(await findOrganisationBySlug(test.db, 'sneaky')).toBeNull()
  })

  it('lists organisations for an operator', async () => {
    const res = await page(operatorCookie)
    expect(res.status).toBe(200)
    const data = res.data as { organisations: Array<{ slug: string; members: number; admins: number }> }
    expect(data.organisations.find((o) => o.slug.startsWith('ops-'))).toMatchObject({ members: 3, admins: 1 })
  })

  it('creates an organisation and a one-time link for its first admin, who sets their own password', async () => {
    const res = await create(operatorCookie, { name: 'Borsetshire Council', slug: 'borsetshire', adminEmail: 'IT.Lead@Borsetshire.example' })
    expect(res.status).toBe(200)
    const created = (res.data as { created: { inviteLink: string; adminEmail: string } }).created
    expect(created.adminEmail).toBe('it.lead@borsetshire.example')
    expect(created.inviteLink).toMatch(/^http:\/\/localhost\/invite\/[A-Za-z0-9_-]{43}$/)
    const organisation = (await findOrganisationBySlug(test.db, 'borsetshire'))!
    expect(organisation.name).toBe('Borsetshire Council')
    // Every member must use two-factor sign-in unless an admin turns it off (ASVS 5.0 6.3.3 at Level 2).
    expect(organisation.requireTwoFactor).toBe(true)
    // Only the token's hash is stored.
    const token = created.inviteLink.split('/').pop()!
    const [stored] = await test.db.select().from(staffInvitations).where(eq(staffInvitations.organisationId, organisation.id))
    expect(stored).toMatchObject({ role: 'admin', email: 'it.lead@borsetshire.example' })
    expect(stored!.tokenHash).not.toContain(token)
    const [audit] = await listAudit(test.db, organisation.id, { action: 'organisation.created' })
    expect(audit).toMatchObject({ userEmail: OPERATOR.email, details: { slug: 'borsetshire', firstAdmin: 'it.lead@borsetshire.example', via: 'operator_page', requireTwoFactor: true } })

    // The first admin opens the link and chooses a password: they are the organisation's admin.
    const accepted = await settle(() =>
      acceptInvitation(
        new Request(created.inviteLink, {
          method: 'POST',
          headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ intent: 'create', name: 'Ivy Lead', password: 'a long and private passphrase', confirm: 'a long and private passphrase' }),
        }),
        token,
      ),
    )
    expect(accepted.status).toBe(302)
    const admin = (await findUserByEmail(test.db, 'it.lead@borsetshire.example'))!
    expect(await listMemberships(test.db, admin.id)).toEqual([expect.objectContaining({ organisationId: organisation.id, role: 'admin' })])
    expect(await isOperator(test.db, admin.id)).toBe(false)
  })

  it('refuses a slug in use and invalid input with field errors', async () => {
    const taken = await create(operatorCookie, { name: 'Again', slug: 'borsetshire', adminEmail: 'a@b.example' })
    expect(taken.status).toBe(400)
    expect((taken.data as { errors: Record<string, string> }).errors.slug).toMatch(/already used/)
    const bad = await create(operatorCookie, { name: '', slug: 'Not A Slug!', adminEmail: 'nope' })
    expect(bad.status).toBe(400)
    expect(Object.keys((bad.data as { errors: Record<string, string> }).errors).sort()).toEqual(['adminEmail', 'name', 'slug'])
  })
})

describe('the command line: operator:create and org:create', () => {
  let dir: string | undefined
  let env: Record<string, string>
  beforeAll(async () => {
    // The CLI opens its own database: a fresh PostgreSQL database (test:pg) or a PGlite directory (already
    // migrated, from the suite's image).
    if (test.url) env = { DATABASE_URL: test.url, PGLITE_DIR: '' }
    else {
      dir = mkdtempSync(path.join(tmpdir(), 'cse-cli-'))
      await preparePgliteDir(dir)
      env = { DATABASE_URL: '', PGLITE_DIR: dir }
    }
  })
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })
  const run = (script: string, args: string[], input = '') =>
    spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: process.cwd(),
      env: { ...process.env, ...env, LOG_LEVEL: 'silent', PUBLIC_ORIGIN: 'https://insight.example.gov.uk' },
      input,
      encoding: 'utf8',
      timeout: 60_000,
    })

  it('operator:create takes the password from standard input, refuses a weak one, and never prints it', () => {
    const weak = run('cli/create-operator.ts', ['--email', 'first.op@platform.example'], 'password\n')
    expect(weak.status, weak.stderr).toBe(2)
    expect(weak.stderr).toMatch(/common|at least/i)
    const ok = run('cli/create-operator.ts', ['--email', 'first.op@platform.example', '--name', 'First Operator'], 'a private operator passphrase\n')
    expect(ok.status, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('first.op@platform.example is a platform operator')
    expect(ok.stdout + ok.stderr).not.toContain('a private operator passphrase')
  }, 120_000)

  it('org:create prints a one-time invitation link and no password', async () => {
    const bad = run('cli/create-organisation.ts', ['--name', 'X', '--slug', 'BAD SLUG', '--admin-email', 'a@b.example'])
    expect(bad.status).toBe(2)
    const ok = run('cli/create-organisation.ts', ['--name', 'Ambridge Parish', '--slug', 'ambridge', '--admin-email', 'clerk@ambridge.example'])
    expect(ok.status, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/https:\/\/insight\.example\.gov\.uk\/invite\/[A-Za-z0-9_-]{43}\n/)
    expect(ok.stdout).not.toMatch(/password:/i)
    // What they wrote is in the database the CLI opened.
    const handle = test.url ? test.handle : await openDatabase({ pgliteDir: dir })
    try {
      const organisation = (await findOrganisationBySlug(handle.db, 'ambridge'))!
      expect(organisation.name).toBe('Ambridge Parish')
      expect(organisation.requireTwoFactor).toBe(true)
      const [audit] = await listAudit(handle.db, organisation.id, { action: 'organisation.created' })
      expect(audit).toMatchObject({ userName: null, details: { via: 'cli', firstAdmin: 'clerk@ambridge.example', requireTwoFactor: true } })
      const operator = (await findUserByEmail(handle.db, 'first.op@platform.example'))!
      expect(await isOperator(handle.db, operator.id)).toBe(true)
      expect(await countOperators(handle.db)).toBeGreaterThanOrEqual(1)
    } finally {
      if (!test.url) await handle.close()
    }
  }, 120_000)
})

describe('audit entries issue 12 found missing', () => {
  it('a failed sign-in is audited: a wrong password in the account’s organisation, an unknown address without it', async () => {
    const attempt = (email: string, password: string) =>
      settle(() =>
        handleLogin(
          new Request(`${origin}/login`, {
            method: 'POST',
            headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ email, password }),
          }),
          'audit-test-client',
        ),
      )
    expect((await attempt(tenant.users.analyst.email, 'not the password at all')).status).toBe(401)
    const [failed] = await listAudit(test.db, tenant.organisationId, { action: 'auth.sign_in_failed' })
    expect(failed).toMatchObject({ userEmail: tenant.users.analyst.email, details: { reason: 'wrong_password' } })
    expect((await attempt('nobody.at.all@unknown.example', 'whatever password 1')).status).toBe(401)
    const { auditLog } = await import('#db/schema.ts')
    const { and, isNull } = await import('drizzle-orm')
    const platform = await test.db.select().from(auditLog).where(and(isNull(auditLog.organisationId), eq(auditLog.action, 'auth.sign_in_failed')))
    expect(platform).toHaveLength(1)
    expect(JSON.stringify(platform[0])).not.toContain('nobody.at.all')
  })

  it('builder edits and settings saves are audited', async () => {
    const cookie = (await startSession(tenant.users.analyst.id, tenant.organisationId)).split(';')[0]!
    const post = (body: Record<string, string>) =>
      settle(() =>
        handleBuilderAction(
          new Request(`${origin}/app/surveys/${tenant.surveyId}/edit`, {
            method: 'POST',
            headers: { Cookie: cookie, Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(body),
          }),
          tenant.surveyId,
        ),
      )
    expect((await post({ intent: 'add-page', titleEn: 'More about you' })).status).toBe(200)
    expect((await post({ intent: 'settings', title: 'Renamed', wave: '2026', retentionDays: '60', opensAt: '', closesAt: '' })).status).toBe(200)
    const edits = await listAudit(test.db, tenant.organisationId, { action: 'survey.draft_edited' })
    expect(edits[0]).toMatchObject({ targetId: tenant.surveyId, userEmail: tenant.users.analyst.email, details: { intent: 'add-page' } })
    const [settings] = await listAudit(test.db, tenant.organisationId, { action: 'survey.settings_saved' })
    expect(settings).toMatchObject({ targetId: tenant.surveyId, details: { title: 'Renamed', wave: '2026' } })
  })
})
