import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { DEMO_ADMIN } from '#db/seed.ts'
import { artifactPath, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { finishSignIn } from '../support/sign-in.ts'
import { walkRespondentForm } from '../support/respondent-walk.ts'

/**
 * The foundation's journey end to end: a respondent completes /s/demo (the server form, enhanced), sees a receipt only after
 * the server has committed, then the demo admin signs in and sees the count go up by one.
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

async function responseCount(page: Page): Promise<number> {
  const text = await page.locator('tr[data-survey="demo"] [data-testid="response-count"]').innerText()
  return Number(text.replace(/[^0-9]/g, ''))
}

async function signIn(page: Page) {
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email address').fill(DEMO_ADMIN.email)
  await page.getByLabel('Password').fill(DEMO_ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  // Admins sign in with two factors (tests/support/sign-in.ts).
  await finishSignIn(page, server.url, DEMO_ADMIN)
}

it('a respondent completes /s/demo and the demo admin sees the new response counted', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } })
  const page = await context.newPage()
  await signIn(page)
  const before = await responseCount(page)
  expect(before).toBeGreaterThanOrEqual(1900)

  const respondent = await browser.newContext({ viewport: { width: 390, height: 844 } })
  const survey = await respondent.newPage()
  await survey.goto(`${server.url}/s/demo?channel=phone`)
  await walkRespondentForm(survey)
  await survey.waitForURL(/\/s\/demo\/thanks\?receipt=/)
  const receipt = await survey.locator('.receipt').innerText()
  expect(receipt).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/)
  await survey.screenshot({ path: artifactPath('respondent-thanks.png') })

  await page.reload()
  expect(await responseCount(page)).toBe(before + 1)
  await page.screenshot({ path: artifactPath('staff-survey-list.png') })
  await respondent.close()
  await context.close()
})
