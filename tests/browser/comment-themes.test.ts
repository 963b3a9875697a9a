import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { DEMO_ADMIN } from '#db/seed.ts'
import { artifactPath, axeViolations, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { finishSignIn } from '../support/sign-in.ts'

/**
 * Comment themes as an analyst meets them (issue 14, item 3): from the comments page to the themes page, add two
 * themes with keywords, code the suggested comments in bulk, and read each theme's frequency by customer group
 * and by driver, with intervals and small groups hidden; every state passes axe.
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

it('creates themes, bulk-codes the suggestions and shows frequency by group', async () => {
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email address').fill(DEMO_ADMIN.email)
  await page.getByLabel('Password').fill(DEMO_ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await finishSignIn(page, server.url, DEMO_ADMIN)

  await page.locator('tr[data-survey="demo"] a[href^="/app/surveys/"]').first().click()
  await page.getByRole('link', { name: 'Comments', exact: true }).click()
  await page.getByRole('link', { name: 'Comment themes' }).click()
  await page.getByRole('heading', { name: /^Comment themes:/ }).waitFor()
  expect(await axeViolations(page)).toEqual([])

  for (const [name, keywords] of [
    ['Staff', 'staff, friendly'],
    ['Waiting', 'weeks, faster'],
  ] as const) {
    await page.getByLabel('Theme name').last().fill(name)
    await page.getByLabel(/Keywords that suggest it/).last().fill(keywords)
    await page.getByRole('button', { name: 'Add the theme' }).click()
    await page.getByTestId('themes').locator('strong').getByText(name, { exact: true }).waitFor()
  }
  expect(await axeViolations(page)).toEqual([])

  // each theme's suggestions are ticked; "Code selected" codes them
  for (const name of ['Staff', 'Waiting']) {
    const form = page.getByTestId('suggestions').filter({ has: page.getByText(`not yet coded as ${name}`) })
    const boxes = form.getByRole('checkbox')
    expect(await boxes.count()).toBeGreaterThan(0)
    for (const text of await form.locator('label').allInnerTexts())
      expect(text.toLowerCase()).toMatch(name === 'Staff' ? /staff|friendly/ : /weeks|faster/)
    const ticked = await boxes.count()
    await form.getByRole('button', { name: 'Code selected' }).click()
    await page.getByTestId('coded').waitFor()
    expect(await page.getByTestId('coded').innerText()).toBe(`${ticked} comments coded.`)
  }
  expect(await axeViolations(page)).toEqual([])

  // frequency: one section per theme, overall with its interval in words, and a table by each customer group
  const staff = page.getByTestId('theme-frequency').filter({ has: page.getByRole('heading', { name: 'Staff' }) })
  expect(await staff.getByTestId('theme-overall').innerText()).toMatch(/All coded comments: \d+% \(between \d+% and \d+%\)/)
  const byService = staff.getByTestId('theme-by-service')
  await byService.waitFor()
  expect(await byService.locator('caption').innerText()).toBe('Staff by service used')
  const cells = await byService.locator('tbody td:last-child').allInnerTexts()
  expect(cells.length).toBeGreaterThan(1)
  for (const c of cells) expect(c).toMatch(/^\d+% \(between \d+% and \d+%\)|^Hidden/)
  expect(await staff.getByTestId('theme-by-.driver').count()).toBe(0) // the demo's comment question has no driver
  await page.screenshot({ path: artifactPath('comment-themes.png'), fullPage: true })

  // the comments page shows each coded comment's themes and lets it be coded on its own
  await page.goto(`${server.url}${new URL(page.url()).pathname.replace(/themes$/, 'comments')}?q=friendly`)
  await page.getByTestId('comment-themes').first().waitFor()
  expect(await page.getByTestId('comment-themes').first().innerText()).toContain('Staff')
  expect(await axeViolations(page)).toEqual([])
  await context.close()
}, 240_000)
