import { randomUUID } from 'node:crypto'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { DEMO_ADMIN } from '#db/seed.ts'
import { axeViolations, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { finishSignIn } from '../support/sign-in.ts'

/**
 * Issue 13, items 6 and 7 in a real browser against the production server (needs `npm run build` first): an analyst
 * imports a survey saved by SurveyJS Creator, lands on the mapping page with suggestions preselected, saves them and
 * reads what still blocks publishing; the pages pass axe-core. The demo survey's import page lists allowed codes and
 * offers the CSV template.
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

async function signIn(page: Page) {
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email address').fill(DEMO_ADMIN.email)
  await page.getByLabel('Password').fill(DEMO_ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await finishSignIn(page, server.url, DEMO_ADMIN)
}

it('imports a SurveyJS Creator survey, maps it with the suggestions, and says what still blocks publishing', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
  const page = await context.newPage()
  await signIn(page)

  await page.goto(`${server.url}/app/surveys/import-json`)
  await page
    .getByLabel('JSON file')
    .setInputFiles(path.resolve('tests/fixtures/surveyjs-creator/council-feedback.json'))
  await page.getByLabel('Link name').fill(`feedback-${randomUUID().slice(0, 8)}`)
  await page.getByRole('button', { name: 'Import as a draft' }).click()
  await page.waitForURL(/\/app\/surveys\/[0-9a-f-]{36}\/mapping$/)

  await expect
    .poll(() => page.getByRole('heading', { level: 1 }).innerText())
    .toMatch(/Map questions: Customer Feedback Survey/)
  const status = page.getByTestId('mapping-status')
  await expect.poll(() => status.innerText()).toMatch(/4 rating questions have no driver yet/)
  expect(await status.innerText()).toMatch(/No question measures overall satisfaction/)
  expect(await axeViolations(page)).toEqual([])

  // The suggestions are preselected, and each one says why.
  expect(await page.locator('select[name="driver.q3_overall"]').inputValue()).toBe('overall')
  expect(await page.locator('select[name="driver.question5"]').inputValue()).toBe('staff_attitude')
  expect(await page.locator('input[name="coding.question6"][value="high:4"]').isChecked()).toBe(true)
  expect(await page.locator('#reason-question5').innerText()).toMatch(
    /Suggested from the wording: staff attitude/,
  )

  // The analyst overrides one suggestion and saves.
  await page.locator('select[name="driver.question6"]').selectOption('not_a_driver')
  await page.getByRole('button', { name: 'Save the mapping' }).click()
  await page.waitForURL(/\/mapping\?saved=1$/)
  await expect.poll(() => page.getByTestId('mapping-saved').innerText()).toMatch(/The mapping is saved/)
  const after = await page.getByTestId('mapping-status').innerText()
  expect(after).not.toMatch(/no driver yet/)
  expect(after).not.toMatch(/No question measures overall satisfaction/)
  expect(after).toMatch(/"question9" is a "boolean" question/)
  expect(await page.locator('select[name="driver.question6"]').inputValue()).toBe('not_a_driver')
  expect(await axeViolations(page)).toEqual([])

  // Two overall measures are refused with an error summary that takes focus.
  await page.locator('select[name="driver.question4"]').selectOption('overall')
  await page.getByRole('button', { name: 'Save the mapping' }).click()
  await expect
    .poll(() => page.getByTestId('error-summary').innerText())
    .toMatch(/Only one question can measure overall satisfaction/)
  expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('error-summary')
  expect(await axeViolations(page)).toEqual([])
  await context.close()
})

it('the import page lists allowed codes and links the CSV template', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
  const page = await context.newPage()
  await signIn(page)
  await page.goto(`${server.url}/app`)
  await page.getByRole('link', { name: 'Customer satisfaction 2026' }).first().click()
  await page.getByRole('link', { name: 'Import responses from a CSV file' }).click()
  await page.waitForURL(/\/import$/)
  const table = page.getByTestId('import-columns')
  await expect.poll(() => table.innerText()).toMatch(/75_plus/)
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('import-template').click(),
  ])
  expect(download.suggestedFilename()).toMatch(/responses-template\.csv$/)
  expect(await axeViolations(page)).toEqual([])
  await context.close()
})
