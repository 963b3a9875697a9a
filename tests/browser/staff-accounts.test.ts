import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { users } from '#db/schema.ts'
import { axeViolations, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { createTenant, prepareServerDatabase, type Tenant } from '../support/security-fixtures.ts'
import { resetLinkIn, startTestSmtp, type TestSmtp } from '../support/smtp.ts'
import { nextTotpCode } from '../support/sign-in.ts'
import { currentStep, totpCode } from '../support/two-factor.ts'

/*
 * Staff accounts in chromium against the built server, as a new user would try them (issue 12): an admin
 * without two-factor sign-in is sent to set it up first (QR code, typed code, recovery codes), then signs in
 * with password and code; sees and signs out sessions; requires two-factor sign-in of every member; a viewer
 * resets a forgotten password through the mail that arrives at a real SMTP server, changes it again, and is
 * then asked to set up two-factor sign-in; the admin resets a member's lost second factor. Every page passes axe (WCAG 2.2 AA); forms are sent from the keyboard.
 */
let server: TestServer
let browser: Browser
let smtp: TestSmtp
let tenant: Tenant
let dir: string
let drop: () => Promise<void> = async () => undefined

beforeAll(async () => {
  smtp = await startTestSmtp()
  dir = mkdtempSync(path.join(tmpdir(), 'cse-accounts-'))
  const prepared = await prepareServerDatabase(path.join(dir, 'pglite'), async (db) => {
    const t = await createTenant(db, 'Accounts')
    // This admin has not set up two-factor sign-in yet.
    await db.update(users).set({ totpSecret: null, totpEnabledAt: null }).where(eq(users.id, t.users.admin.id))
    return t
  })
  tenant = prepared.result
  drop = prepared.drop
  server = await startTestServer({ ...prepared.serverOptions, env: { SEED_DEMO: 'false', LOG_LEVEL: 'warn', ...smtp.env } })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await smtp?.close()
  await drop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

async function expectAccessible(page: Page, what: string) {
  expect(await axeViolations(page), what).toEqual([])
}

/**
 * A code the server will accept: each 30-second step is accepted once per person, and one step ahead is
 * allowed for clock drift, so after using the next step's code this waits for time to catch up, as a person
 * would wait for their app to show a new code.
 */
async function signIn(page: Page, email: string, password: string) {
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email address').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByLabel('Password').press('Enter')
}

/** Sign in with the password and then a code from the authenticator, landing on /app. */
async function signInWithCode(page: Page, email: string, password: string, secret: string) {
  await signIn(page, email, password)
  await page.waitForURL(`${server.url}/login/two-factor`)
  await page.getByLabel('Code', { exact: true }).fill(await nextTotpCode(secret))
  await page.getByLabel('Code', { exact: true }).press('Enter')
  await page.waitForURL(`${server.url}/app`)
}

describe('staff accounts in a browser', () => {
  let adminSecret = ''
  let analystSecret = ''
  // The admin's browser from the second test on, still signed in: each 30-second code is accepted once per
  // person (tests/support/sign-in.ts), so signing the admin in again in later tests made the file wait for
  // the clock (27 s of its 73 s, docs/benchmarks.md "Test suites and CI").
  let adminBrowser: BrowserContext

  it('sends an admin without two-factor sign-in to set it up, with a QR code and recovery codes', async () => {
    const page = await browser.newPage()
    await signIn(page, tenant.users.admin.email, tenant.users.admin.password)
    await page.waitForURL(/\/app\/account\/two-factor\?required=1$/)
    await page.getByText('Admins must sign in with two factors.').waitFor()
    expect(await page.locator('.qr svg').count()).toBe(1)
    await expectAccessible(page, 'enrolment page')
    // Another staff page sends them back here.
    await page.goto(`${server.url}/app/settings/users`)
    await page.waitForURL(/\/app\/account\/two-factor\?required=1$/)
    adminSecret = (await page.getByTestId('totp-secret').innerText()).replace(/\s/g, '')
    // The password is asked again (ASVS 5.0 7.5.1): a wrong one is refused next to the field.
    await page.getByLabel('Current password').fill('not the admin password')
    // A right code that the server never claims (the password is checked first), so it is not spent here.
    await page.getByLabel('Code', { exact: true }).fill(totpCode(adminSecret))
    await page.getByLabel('Code', { exact: true }).press('Enter')
    await page.getByRole('alert').waitFor()
    expect(await page.getByRole('alert').innerText()).toContain('Your current password is not right.')
    expect(await page.getByLabel('Current password').getAttribute('aria-invalid')).toBe('true')
    await expectAccessible(page, 'enrolment page with a wrong password')
    // The same secret is still offered, so the authenticator already set up keeps working.
    expect((await page.getByTestId('totp-secret').innerText()).replace(/\s/g, '')).toBe(adminSecret)
    await page.getByLabel('Current password').fill(tenant.users.admin.password)
    await page.getByLabel('Code', { exact: true }).fill(await nextTotpCode(adminSecret))
    await page.getByLabel('Code', { exact: true }).press('Enter')
    const codes = page.getByTestId('recovery-codes').locator('li')
    await codes.first().waitFor()
    expect(await codes.count()).toBe(10)
    await expectAccessible(page, 'recovery codes')
    await page.getByRole('link', { name: 'Continue' }).click()
    await page.waitForURL(`${server.url}/app`)
    await page.close()
  })

  it('asks for the code after the password, then shows the sessions, which can be signed out', async () => {
    const other = await browser.newContext()
    const otherPage = await other.newPage()
    adminBrowser = await browser.newContext()
    const page = await adminBrowser.newPage()
    for (const p of [page, otherPage]) await signIn(p, tenant.users.admin.email, tenant.users.admin.password)
    await page.waitForURL(`${server.url}/login/two-factor`)
    await expectAccessible(page, 'code page')
    await page.getByLabel('Code', { exact: true }).fill([-1, 0, 1].some((d) => totpCode(adminSecret, currentStep() + d) === '000000') ? '111111' : '000000')
    await page.getByLabel('Code', { exact: true }).press('Enter')
    await page.getByRole('alert').waitFor()
    expect(await page.getByRole('alert').innerText()).toContain('That code is not right')
    await page.getByLabel('Code', { exact: true }).fill(await nextTotpCode(adminSecret))
    await page.getByLabel('Code', { exact: true }).press('Enter')
    await page.waitForURL(`${server.url}/app`)
    // The other browser has only passed the password step: it has no session yet.
    await otherPage.waitForURL(`${server.url}/login/two-factor`)

    await page.getByRole('link', { name: /your account/ }).click()
    await page.waitForURL(`${server.url}/app/account`)
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor()
    await expectAccessible(page, 'account page')
    await page.getByRole('link', { name: 'Sessions' }).click()
    await page.waitForURL(`${server.url}/app/account/sessions`)
    await page.getByRole('heading', { level: 1, name: 'Your sessions' }).waitFor()
    await expectAccessible(page, 'sessions page')
    expect(await page.locator('tbody tr').first().innerText()).toContain('Chrome on Linux')
    expect(await page.getByText('(this session)').count()).toBe(1)

    // The other browser finishes signing in; this one signs it out, with the password again (ASVS 5.0 7.5.2).
    await otherPage.getByLabel('Code', { exact: true }).fill(await nextTotpCode(adminSecret))
    await otherPage.getByLabel('Code', { exact: true }).press('Enter')
    await otherPage.waitForURL(`${server.url}/app`)
    await page.reload()
    const rows = await page.locator('tbody tr').count()
    expect(rows).toBeGreaterThanOrEqual(3) // the first test's, this one and the other browser's
    await page.locator('tbody tr').filter({ hasNotText: '(this session)' }).first().getByRole('link', { name: /^Sign out/ }).click()
    await page.getByRole('heading', { level: 2, name: /^Sign out the session from Chrome on Linux/ }).waitFor()
    await page.getByLabel('Current password').fill('not the admin password')
    await page.getByLabel('Current password').press('Enter')
    await page.getByRole('alert').waitFor()
    expect(await page.getByRole('alert').innerText()).toContain('Your current password is not right.')
    await expectAccessible(page, 'sessions page, confirming with a wrong password')
    expect(await page.locator('tbody tr').count()).toBe(rows)
    await page.getByLabel('Current password').fill(tenant.users.admin.password)
    await page.getByRole('button', { name: 'Sign out that session' }).click()
    await page.getByRole('status').filter({ hasText: 'That session has been signed out.' }).waitFor()
    await page.waitForFunction((n) => document.querySelectorAll('tbody tr').length === n, rows - 1)
    // The rest at once, again with the password.
    await page.getByLabel('Current password').fill(tenant.users.admin.password)
    await page.getByRole('button', { name: 'Sign out all other sessions' }).click()
    await page.getByRole('status').filter({ hasText: /other sessions? (was|were) signed out/ }).waitFor()
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1)
    await otherPage.goto(`${server.url}/app`)
    await otherPage.waitForURL(/\/login/)
    await other.close()
    await page.close()
  })

  it('lets the admin require two-factor sign-in of every member and see and sign out a member’s sessions', async () => {
    const viewer = await browser.newContext()
    const viewerPage = await viewer.newPage()
    await signIn(viewerPage, tenant.users.viewer.email, tenant.users.viewer.password)
    await viewerPage.waitForURL(`${server.url}/app`)

    const page = await adminBrowser.newPage()
    await page.goto(`${server.url}/app/settings/users`)
    await expectAccessible(page, 'users page')
    const row = page.locator(`tr[data-user="${tenant.users.viewer.email}"]`)
    await row.locator('summary').click()
    await expectAccessible(page, 'users page with sessions open')
    await row.getByRole('button', { name: /Sign out everywhere/ }).click()
    await page.getByRole('status').filter({ hasText: 'was signed out of 1 session' }).waitFor()
    await viewerPage.reload()
    await viewerPage.waitForURL(/\/login/)

    await page.getByLabel('Require two-factor sign-in for every member').check()
    await page.getByRole('button', { name: 'Save two-factor requirement' }).click()
    await page.getByRole('status').filter({ hasText: 'Every member must now sign in with two factors' }).waitFor()
    await viewer.close()
    await page.close()
  })

  it('resets a forgotten password through the mail that arrives, then asks the member to set up two-factor sign-in', async () => {
    const page = await browser.newPage()
    await page.goto(`${server.url}/login`)
    await page.getByRole('link', { name: 'Forgotten your password?' }).click()
    await page.waitForURL(`${server.url}/forgot-password`)
    await page.getByRole('heading', { level: 1, name: 'Reset your password' }).waitFor()
    await expectAccessible(page, 'forgot password page')
    const since = smtp.messages.length
    await page.getByLabel('Email address').fill(tenant.users.viewer.email)
    await page.getByLabel('Email address').press('Enter')
    await page.getByRole('status').filter({ hasText: 'If an account has this address' }).waitFor()
    const link = resetLinkIn(await smtp.waitFor(tenant.users.viewer.email, { since }))
    expect(link.startsWith(server.url)).toBe(true)
    await page.goto(link)
    await expectAccessible(page, 'new password page')
    await page.getByLabel('New password', { exact: true }).fill('password1')
    await page.getByLabel('New password again').fill('password1')
    await page.getByLabel('New password again').press('Enter')
    await page.getByRole('alert').waitFor()
    expect(await page.getByRole('alert').innerText()).toContain('common')
    await page.getByLabel('New password', { exact: true }).fill('lighthouse pebble orchard')
    await page.getByLabel('New password again').fill('lighthouse pebble orchard')
    await page.getByLabel('New password again').press('Enter')
    await page.waitForURL(`${server.url}/login?reset=1`)
    await expectAccessible(page, 'sign-in after reset')
    // The link works once.
    const again = await page.goto(link)
    expect(again?.status()).toBe(404)

    await signIn(page, tenant.users.viewer.email, 'lighthouse pebble orchard')
    await page.waitForURL(/\/app\/account\/two-factor\?required=1$/)
    await page.getByText('Your organisation asks every member to sign in with two factors.').waitFor()
    // Every other staff page, their account page included, sends them back until it is set up.
    await page.goto(`${server.url}/app/account`)
    await page.waitForURL(/\/app\/account\/two-factor\?required=1$/)
    await page.close()
  })

  it('changes the password on the account page with the current one, and signs out the other sessions', async () => {
    const other = await browser.newContext()
    const otherPage = await other.newPage()
    const page = await browser.newPage()
    for (const p of [page, otherPage]) await signIn(p, tenant.users.analyst.email, tenant.users.analyst.password)
    await page.waitForURL(/\/app(\/account\/two-factor\?required=1)?$/)
    // The organisation requires two-factor sign-in now: set it up first.
    const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s/g, '')
    analystSecret = secret
    await page.getByLabel('Current password').fill(tenant.users.analyst.password)
    await page.getByLabel('Code', { exact: true }).fill(await nextTotpCode(secret))
    await page.getByLabel('Code', { exact: true }).press('Enter')
    await page.getByTestId('recovery-codes').waitFor()
    await page.goto(`${server.url}/app/account`)
    await page.getByLabel('Current password').fill(tenant.users.analyst.password)
    await page.getByLabel('New password', { exact: true }).fill('meadow lantern copper')
    await page.getByLabel('New password again').fill('meadow lantern copper')
    await page.getByLabel('New password again').press('Enter')
    await page.getByRole('status').filter({ hasText: 'Your password has been changed, and 1 other session was signed out.' }).waitFor()
    await expectAccessible(page, 'account page after change')
    await otherPage.goto(`${server.url}/app`)
    await otherPage.waitForURL(/\/login/)
    await other.close()
    await page.close()
  })

  it('lets the admin reset a member’s lost second factor after confirming; the member is signed out and sets it up again', async () => {
    const member = await browser.newContext()
    const memberPage = await member.newPage()
    await signInWithCode(memberPage, tenant.users.analyst.email, 'meadow lantern copper', analystSecret)

    const page = await adminBrowser.newPage()
    await page.goto(`${server.url}/app/settings/users`)
    // Not offered for the admin's own account.
    await expect(page.locator(`tr[data-user="${tenant.users.admin.email}"]`).getByRole('button', { name: /Reset two-factor sign-in/ }).count()).resolves.toBe(0)
    const row = page.locator(`tr[data-user="${tenant.users.analyst.email}"]`)
    await row.locator('summary', { hasText: /^Reset/ }).click()
    await expectAccessible(page, 'users page with the reset open')
    await row.getByLabel(/I have checked it is really/).check()
    await row.getByRole('button', { name: /Reset two-factor sign-in/ }).press('Enter')
    await page.getByRole('status').filter({ hasText: 'two-factor sign-in was reset and they were signed out everywhere' }).waitFor()
    await expectAccessible(page, 'users page after the reset')
    expect(await page.locator(`tr[data-user="${tenant.users.analyst.email}"]`).innerText()).toContain('Not set up (required)')

    // Signed out at once; the password alone then leads to setting up a new authenticator.
    await memberPage.reload()
    await memberPage.waitForURL(/\/login/)
    await signIn(memberPage, tenant.users.analyst.email, 'meadow lantern copper')
    await memberPage.waitForURL(/\/app\/account\/two-factor\?required=1$/)
    await memberPage.getByTestId('totp-secret').waitFor()
    await member.close()
    await page.close()
  })
})
