import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { DEMO_ADMIN, DEMO_ORGANISATION } from '#db/seed.ts'
import { axeViolations, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { finishSignIn } from '../support/sign-in.ts'

/**
 * Issue 14, item 1, in a real browser against the production server (needs `npx remix vite:build` first): the
 * demo admin publishes wave 2026 of the demo survey; a customer with no session reads it on a phone and in
 * Welsh. The page passes axe (WCAG 2.2 AA) in both languages, reflows at 320 CSS px without sideways scrolling,
 * and prints without its language switch, download link and list of other publications.
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

async function signIn(page: Page): Promise<string> {
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email address').fill(DEMO_ADMIN.email)
  await page.getByLabel('Password').fill(DEMO_ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await finishSignIn(page, server.url, DEMO_ADMIN)
  const href = await page
    .locator('a[href^="/app/surveys/"]')
    .evaluateAll((links) =>
      links.map((a) => a.getAttribute('href')!).find((h) => /^\/app\/surveys\/[0-9a-f-]{36}/.test(h)),
    )
  return href!.match(/[0-9a-f-]{36}/)![0]
}

it('an analyst publishes a wave and a customer reads it on a phone, in Welsh, and in print', async () => {
  const staff = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
  const page = await staff.newPage()
  const surveyId = await signIn(page)
  // "You said, we did": a completed action with its before/after evidence, shown publicly
  await page.goto(`${server.url}/app/surveys/${surveyId}/actions`)
  await page.getByRole('heading', { name: /You said, we did/ }).waitFor()
  await page.getByLabel('What we will do (for staff)').fill('Answer every call within a day')
  await page.getByLabel('The finding it answers').selectOption('driver|timeliness')
  await page.getByLabel('Owner').fill('Customer services manager')
  await page.getByLabel('Status').selectOption('completed')
  await page.getByLabel('Wave before the action').selectOption('2025')
  await page.getByLabel('Wave after the action').selectOption('2026')
  await page.getByLabel('Public wording (“You said…, we did…”)').fill('You said we were slow to answer; we now answer within a day.')
  await page.getByLabel('Show on the public results page once completed').check()
  await page.getByRole('button', { name: 'Record the action' }).click()
  await page.getByTestId('action-evidence').waitFor()
  expect(await page.getByTestId('action-evidence').innerText()).toMatch(/percentage points \(95% interval .*\): (a clear increase|a clear decrease|no clear change)\./)
  expect(await axeViolations(page)).toEqual([])

  await page.goto(`${server.url}/app/surveys/${surveyId}/results`)
  await page.getByRole('heading', { name: /Publish results/ }).first().waitFor()
  expect(await axeViolations(page)).toEqual([])
  await page.getByLabel('Wave', { exact: true }).selectOption('2026')
  await page.getByRole('button', { name: 'Publish this wave' }).click()
  const link = page.getByRole('link', { name: 'See it on the public page' })
  await link.waitFor()
  const publicPath = (await link.getAttribute('href'))!
  expect(publicPath).toMatch(new RegExp(`^/results/${DEMO_ORGANISATION.slug}/[0-9a-f-]{36}$`))
  await staff.close()

  // a customer, no session, on a phone
  const phone = await browser.newContext({ viewport: { width: 320, height: 640 } })
  const customer = await phone.newPage()
  await customer.goto(`${server.url}${publicPath}`)
  await customer.getByRole('heading', { name: /Customer satisfaction results/ }).waitFor()
  const headline = await customer.getByTestId('results-overall').innerText()
  expect(headline).toMatch(/^\d+% of customers were satisfied overall \(between \d+% and \d+%\)\./)
  expect(await customer.getByRole('table').count()).toBeGreaterThan(1)
  expect(await customer.getByTestId('you-said-we-did').innerText()).toContain('we now answer within a day')
  expect(await axeViolations(customer)).toEqual([])
  const overflow = await customer.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  expect(overflow).toBeLessThanOrEqual(0)

  // Welsh, by the language link
  await customer.getByRole('link', { name: 'Cymraeg' }).click()
  await customer.getByRole('heading', { name: /Canlyniadau boddhad cwsmeriaid/ }).waitFor()
  expect(await customer.locator('html').getAttribute('lang')).toBe('cy')
  expect(await customer.getByTestId('results-overall').innerText()).toMatch(/^Roedd \d+% o gwsmeriaid yn fodlon/)
  expect(await axeViolations(customer)).toEqual([])

  // print: the controls are hidden, the figures are not
  await customer.emulateMedia({ media: 'print' })
  expect(await customer.getByRole('link', { name: 'English' }).isVisible()).toBe(false)
  expect(await customer.getByTestId('results-overall').isVisible()).toBe(true)
  await phone.close()
})
