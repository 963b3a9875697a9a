import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { DEMO_ADMIN } from '#db/seed.ts'
import { artifactPath, axeViolations, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { finishSignIn } from '../support/sign-in.ts'

/**
 * Retention without surprises, as an admin would meet it (issue 12: "an analyst setting 400 days silently
 * deleted 940 responses"). The demo survey's 2025 wave is over 400 days old: asking for 400 days shows how many
 * responses the next purge would delete, nothing changes until that is confirmed, and the change is audited.
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

it('an admin sees how many responses a shorter period would delete, and only a confirmed change applies', async () => {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email address').fill(DEMO_ADMIN.email)
  await page.getByLabel('Password').fill(DEMO_ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  // Admins must set up two-factor sign-in first: tests/support/sign-in.ts does what the server asks for.
  await finishSignIn(page, server.url, DEMO_ADMIN)
  const count = async () => Number((await page.locator('tr[data-survey="demo"] [data-testid="response-count"]').innerText()).replace(/[^0-9]/g, ''))
  const before = await count()

  await page.locator('tr[data-survey="demo"] a[href^="/app/surveys/"]').first().click()
  await page.getByRole('link', { name: 'retention' }).click()
  await page.getByRole('heading', { name: 'How long responses are kept' }).waitFor()
  expect(await page.getByTestId('retention-current').innerText()).toContain('730 days')
  expect(await axeViolations(page)).toEqual([])

  await page.getByLabel('Keep responses for (days)').fill('400')
  await page.getByRole('button', { name: 'Check what this would delete' }).click()
  const willDelete = Number((await page.getByTestId('retention-will-delete').innerText()).replace(/[^0-9]/g, ''))
  expect(willDelete).toBeGreaterThan(800) // the whole 2025 wave
  expect(willDelete).toBeLessThan(before)
  expect(await axeViolations(page)).toEqual([])
  await page.screenshot({ path: artifactPath('retention-preview.png'), fullPage: true })

  // Walking away from the preview changes nothing.
  await page.getByRole('link', { name: 'Cancel' }).click()
  expect(await page.getByTestId('retention-current').innerText()).toContain('730 days')

  // Confirmed: the period changes and the change is in the audit log with the count.
  await page.getByLabel('Keep responses for (days)').fill('400')
  await page.getByRole('button', { name: 'Check what this would delete' }).click()
  await page.getByLabel(/I understand that/).check()
  await page.getByRole('button', { name: 'Change to 400 days' }).click()
  await page.getByTestId('retention-changed').waitFor()
  expect(await page.getByTestId('retention-changed').innerText()).toContain(`The next purge will delete ${willDelete.toLocaleString('en-GB')} responses`)
  await page.goto(`${server.url}/app/audit?action=retention.changed`)
  const entry = await page.locator('tr[data-action="retention.changed"]').first().innerText()
  expect(entry).toContain('"from":730')
  expect(entry).toContain('"to":400')
  expect(entry).toContain(`"responsesDueForPurge":${willDelete}`)
  await context.close()
}, 180_000)
