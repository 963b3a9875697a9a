import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { DEMO_ADMIN } from '#db/seed.ts'
import { axeViolations, artifactPath, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { finishSignIn } from '../support/sign-in.ts'

/**
 * Production start-up and organisations (issue 12). A first start against an empty PostgreSQL database seeds no
 * demo and prints how to create the first operator, never a password; the operator is made from the command
 * line, signs in, creates an organisation on /operator/organisations, and its first admin opens the one-time
 * link and chooses their own password. The embedded default (PGlite) still seeds the demo and prints its login.
 */
let browser: Browser

beforeAll(async () => {
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
})

describe.skipIf(!process.env.TEST_DATABASE_URL)('a first start on an empty PostgreSQL database', () => {
  let server: TestServer
  beforeAll(async () => {
    // SEED_DEMO unset, as on a real install (the test helper sets it for the demo-based suites).
    server = await startTestServer({ env: { SEED_DEMO: '' } })
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('seeds no demo and prints how to create the first operator, with no password', async () => {
    const deadline = Date.now() + 10_000
    while (!server.logs().includes('operator:create') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(server.logs()).toContain('npm run operator:create -- --email')
    expect(server.logs()).not.toContain(DEMO_ADMIN.password)
    expect(server.logs()).not.toMatch(/password[^\n]*:\s*\S+\s*\)/i)
    expect((await fetch(`${server.url}/s/demo`)).status).toBe(404)
    expect((await fetch(`${server.url}/operator/organisations`)).status).toBe(404)
  })

  it('an operator made on the command line creates an organisation whose first admin sets their own password', async () => {
    const operator = { email: 'ops@council-platform.example', password: 'a long operator passphrase 7' }
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'cli/create-operator.ts', '--email', operator.email, '--name', 'Olu Operator'], {
      env: { ...process.env, DATABASE_URL: server.databaseUrl!, LOG_LEVEL: 'silent' },
      input: `${operator.password}\n`,
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(cli.status, cli.stderr).toBe(0)

    const context = await browser.newContext()
    const page = await context.newPage()
    // An operator with no organisation must set up two-factor sign-in first (on /operator/two-factor, axe
    // clean), then lands on the operator's page.
    await page.goto(`${server.url}/login`)
    await page.getByLabel('Email address').fill(operator.email)
    await page.getByLabel('Password').fill(operator.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${server.url}/operator/two-factor?required=1`)
    await page.getByText('Platform operators must sign in with two factors').waitFor()
    expect(await axeViolations(page)).toEqual([])
    await finishSignIn(page, server.url, operator, `${server.url}/operator/organisations`)
    await page.getByRole('heading', { name: 'Organisations', exact: true }).waitFor()
    expect(await axeViolations(page)).toEqual([])

    // A mistake first: the form says what is wrong, next to the field.
    await page.getByLabel('Name', { exact: true }).fill('Borsetshire County Council')
    await page.getByLabel('Short name').fill('Borsetshire!')
    await page.getByLabel('First admin’s e-mail address').fill('it.lead@borsetshire.example')
    await page.getByRole('button', { name: 'Create the organisation' }).click()
    await page.getByText('Use 1 to 64 lower-case letters').waitFor()
    await page.getByLabel('Short name').fill('borsetshire')
    await page.getByRole('button', { name: 'Create the organisation' }).click()
    await page.getByTestId('organisation-created').waitFor()
    const link = await page.getByTestId('invite-link').inputValue()
    expect(link).toMatch(new RegExp(`^${server.url}/invite/[A-Za-z0-9_-]{43}$`))
    expect(await page.getByTestId('organisations').innerText()).toContain('Borsetshire County Council')
    await page.screenshot({ path: artifactPath('operator-organisations.png'), fullPage: true })

    // The first admin, in another browser, opens the link and chooses a password.
    const adminContext = await browser.newContext()
    const admin = await adminContext.newPage()
    await admin.goto(link)
    await admin.getByLabel('Your name').fill('Ivy Lead')
    await admin.getByLabel('Choose a password').fill('ivy chooses her own passphrase')
    await admin.getByLabel('Type the password again').fill('ivy chooses her own passphrase')
    await admin.getByRole('button', { name: 'Create account and join' }).click()
    await admin.waitForURL(new RegExp(`^${server.url}/app(/account/two-factor\\?required=1)?$`))
    // Admins must set up two-factor sign-in first (tests/support/sign-in.ts).
    await finishSignIn(admin, server.url, { email: 'it.lead@borsetshire.example', password: 'ivy chooses her own passphrase' })
    await admin.getByText('CSE Insight · Borsetshire County Council').waitFor()
    // The link worked once only.
    const again = await fetch(link)
    expect(again.status).toBe(404)
    // The new admin is not an operator.
    await admin.goto(`${server.url}/operator/organisations`)
    expect(await admin.locator('h1').innerText()).not.toBe('Organisations')
    await adminContext.close()
    await context.close()
  }, 180_000)
})

describe('a first start on the embedded default (PGlite)', () => {
  it('still seeds the demo and prints its login', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cse-first-start-'))
    const server = await startTestServer({ pgliteDir: dir, env: { DATABASE_URL: '', SEED_DEMO: '' } })
    try {
      const deadline = Date.now() + 10_000
      while (!server.logs().includes(DEMO_ADMIN.password) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
      expect(server.logs()).toContain(`${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}`)
      expect((await fetch(`${server.url}/api/v1/surveys/demo`)).status).toBe(200)
    } finally {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  }, 240_000)
})
