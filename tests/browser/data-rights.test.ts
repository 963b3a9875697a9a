import { readFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { openDatabase } from '#db/client.ts'
import { hashPassword } from '#db/passwords.ts'
import { addMembership, createUser, findOrganisationBySlug } from '#db/queries/accounts.ts'
import { DEMO_ADMIN, DEMO_ORGANISATION } from '#db/seed.ts'
import { artifactPath, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { finishSignIn } from '../support/sign-in.ts'

/**
 * A customer's data rights as staff would handle them (issue 12): a customer quotes their receipt; the demo
 * admin finds the response from the staff menu, downloads it as JSON and CSV (subject access), erases it with
 * the receipt typed again; afterwards the receipt finds nothing and the dashboard counts one respondent fewer.
 */
let server: TestServer
let browser: Browser

beforeAll(async () => {
  server = await startTestServer()
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function respondents(page: Page, surveyPath: string): Promise<number> {
  await page.goto(`${server.url}${surveyPath}/dashboard`)
  const text = await page.getByText(/responses in this view/).innerText()
  return Number(/([\d,]+) responses in this view/.exec(text)![1]!.replace(/,/g, ''))
}

it('an admin finds a response by receipt, exports it, erases it, and it is gone everywhere', async () => {
  // The customer's response, with a comment they will want back; the receipt is what they were shown.
  const canary = `My neighbour's bins canary-${randomUUID().slice(0, 8)}`
  const submitted = await fetch(`${server.url}/api/v1/surveys/demo/responses`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: randomUUID(), answers: { overall: 2, delivery: 3, improve: canary }, segments: { channel: 'online' } }),
  })
  expect(submitted.status).toBe(201)
  const { receipt } = (await submitted.json()) as { receipt: string }

  const context = await browser.newContext({ acceptDownloads: true })
  const page = await context.newPage()
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email address').fill(DEMO_ADMIN.email)
  await page.getByLabel('Password').fill(DEMO_ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  // Admins must set up two-factor sign-in first: tests/support/sign-in.ts does what the server asks for.
  await finishSignIn(page, server.url, DEMO_ADMIN)
  const surveyPath = (await page.locator('tr[data-survey="demo"] a[href^="/app/surveys/"]').first().getAttribute('href'))!.replace(/\/(dashboard|edit)$/, '')
  const before = await respondents(page, surveyPath)

  // Find it from the staff menu, typed as a customer might read it out.
  await page.getByRole('link', { name: 'Find a response' }).click()
  await page.getByLabel('Receipt reference').fill(receipt.toLowerCase().replace(/-/g, ' '))
  await page.getByRole('button', { name: 'Find' }).click()
  await page.getByTestId('response-found').waitFor()
  await page.getByRole('link', { name: `Open response ${receipt}` }).click()
  await page.getByRole('heading', { name: `Response ${receipt}` }).waitFor()
  await expect(page.getByTestId('response-answers').innerText()).resolves.toContain(canary)

  // Subject access: both downloads hold the answers.
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download as JSON' }).click()])
  expect(json.suggestedFilename()).toBe(`response-${receipt}.json`)
  const doc = JSON.parse(readFileSync((await json.path())!, 'utf8')) as { receipt: string; answers: Record<string, unknown> }
  expect(doc.receipt).toBe(receipt)
  expect(doc.answers.improve).toBe(canary)
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download as CSV' }).click()])
  expect(csv.suggestedFilename()).toBe(`response-${receipt}.csv`)
  expect(readFileSync((await csv.path())!, 'utf8')).toContain(`"answer","improve","${canary.replace(/"/g, '""')}"`)
  await page.screenshot({ path: artifactPath('data-rights-response.png'), fullPage: true })

  // Erase: a wrong confirmation is refused; the right receipt erases.
  await page.getByLabel(/To confirm, type the receipt/).fill('AAAA-BBBB-CC')
  await page.getByRole('button', { name: 'Erase this response' }).click()
  await page.getByRole('alert').filter({ hasText: `Type the receipt ${receipt}` }).waitFor()
  await page.getByLabel(/To confirm, type the receipt/).fill(receipt)
  await page.getByRole('button', { name: 'Erase this response' }).click()
  await page.getByTestId('response-erased').waitFor()

  await page.getByLabel('Receipt reference').fill(receipt)
  await page.getByRole('button', { name: 'Find' }).click()
  await page.getByTestId('response-not-found').waitFor()
  expect(await respondents(page, surveyPath)).toBe(before - 1)

  // Both actions are in the audit log.
  await page.goto(`${server.url}/app/audit?action=response.erased`)
  expect(await page.locator('tr[data-action="response.erased"]').count()).toBe(1)
  await page.goto(`${server.url}/app/audit?action=response.exported`)
  expect(await page.locator('tr[data-action="response.exported"]').count()).toBe(2)
  await context.close()
}, 120_000)

it.skipIf(!process.env.TEST_DATABASE_URL)('an analyst finds a response by receipt and exports it, but cannot erase it', async () => {
  // An analyst of the demo organisation, added straight to the server's PostgreSQL database.
  const analyst = { email: 'analyst@demo.example', password: 'an analyst passphrase 9' }
  const handle = await openDatabase({ url: server.databaseUrl! })
  try {
    const organisation = (await findOrganisationBySlug(handle.db, DEMO_ORGANISATION.slug))!
    const user = await createUser(handle.db, analyst.email, 'Ana Analyst', await hashPassword(analyst.password))
    await addMembership(handle.db, organisation.id, user.id, 'analyst')
  } finally {
    await handle.close()
  }
  const submitted = await fetch(`${server.url}/api/v1/surveys/demo/responses`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: randomUUID(), answers: { overall: 4 }, segments: { channel: 'phone' } }),
  })
  expect(submitted.status).toBe(201)
  const { receipt } = (await submitted.json()) as { receipt: string }

  const context = await browser.newContext({ acceptDownloads: true })
  const page = await context.newPage()
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email address').fill(analyst.email)
  await page.getByLabel('Password').fill(analyst.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  // The demo organisation requires two-factor sign-in of every member (db/queries/accounts.ts
  // NEW_ORGANISATION_DEFAULTS): the analyst sets it up first (tests/support/sign-in.ts).
  await finishSignIn(page, server.url, analyst)
  await page.getByRole('link', { name: 'Find a response' }).click()
  await page.getByLabel('Receipt reference').fill(receipt)
  await page.getByRole('button', { name: 'Find' }).click()
  await page.getByRole('link', { name: `Open response ${receipt}` }).click()
  await page.getByRole('heading', { name: `Response ${receipt}` }).waitFor()
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download as CSV' }).click()])
  expect(readFileSync((await csv.path())!, 'utf8')).toContain(`"receipt","","${receipt}"`)
  await page.getByText('Only an admin of your organisation can erase a response.').waitFor()
  expect(await page.getByRole('button', { name: 'Erase this response' }).count()).toBe(0)
  await context.close()
}, 120_000)
