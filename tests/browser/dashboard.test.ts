import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { DEMO_ADMIN } from '#db/seed.ts'
import { artifactPath, axeViolations, launchBrowser, settle } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { finishSignIn } from '../support/sign-in.ts'

/**
 * Issue 7's journey: the demo analyst (the demo admin, who has every analyst right) opens the demo survey's
 * dashboard (weighted by default, as the exports are), switches weighting off, and sees intervals, low-base
 * flags, the effective sample size and the key-driver chart. Needs `npx remix vite:build` first. Saves artifacts/dashboard.png.
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

it('an analyst opens the demo dashboard (weighted by default), switches weighting off and sees intervals, flags and key drivers', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  const page = await context.newPage()
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email address').fill(DEMO_ADMIN.email)
  await page.getByLabel('Password').fill(DEMO_ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  // Admins sign in with two factors (tests/support/sign-in.ts).
  await finishSignIn(page, server.url, DEMO_ADMIN)
  const href = await page.locator('a[href^="/app/surveys/"]').evaluateAll((links) =>
    links.map((a) => a.getAttribute('href')!).find((h) => /^\/app\/surveys\/[0-9a-f-]{36}/.test(h)),
  )
  expect(href).toBeTruthy()
  const surveyId = href!.match(/[0-9a-f-]{36}/)![0]
  await page.goto(`${server.url}/app/surveys/${surveyId}/dashboard`)
  await page.getByRole('heading', { name: /Insight dashboard/ }).waitFor()

  // The default view is weighted (the demo organisation has a default population profile), as every export is
  const table = page.getByTestId('satisfaction-table')
  expect(await table.locator('[data-testid="interval"]').count()).toBeGreaterThan(50)
  await page.getByTestId('weighting-summary').waitFor()
  // in the closed "How this was worked out" panel: read as text, not as rendered
  const ess = Number((await page.getByTestId('ess').textContent())!.replace(/[^0-9.]/g, ''))
  const deff = Number(await page.getByTestId('deff').textContent())
  expect(ess).toBeGreaterThan(500)
  expect(ess).toBeLessThan(2000)
  expect(deff).toBeGreaterThan(1)
  const weightedOverall = await table.locator('tbody').first().locator('td').first().locator('strong').innerText()

  // Switch weighting off: Wilson intervals, no weighting summary
  await page.getByLabel('Figures').selectOption('0')
  await page.getByRole('button', { name: 'Apply' }).click()
  await page.waitForURL(/weighted=0/)
  // The URL changes before React commits the new page (a big render): wait for the summary to go, not for the network.
  await page.getByTestId('weighting-summary').waitFor({ state: 'detached' })
  expect(await page.getByTestId('weighting-summary').count()).toBe(0)
  const unweightedOverall = await table.locator('tbody').first().locator('td').first().locator('strong').innerText()
  // the demo sample over-represents older people and women, who are more satisfied: weighting moves the figure
  expect(weightedOverall).not.toBe(unweightedOverall)

  // Intervals like "55%–61%" and significance markers
  const interval = await table.locator('[data-testid="interval"]').first().innerText()
  expect(interval).toMatch(/^\d+%–\d+%$/)
  expect(await table.locator('[data-significance]').count()).toBeGreaterThan(0)
  await page.screenshot({ path: artifactPath('dashboard.png'), fullPage: true })

  // Narrow to letter respondents: small groups now carry the low-base flag, the smallest are suppressed
  await page.locator('select[name="seg.channel"]').selectOption('letter')
  await page.getByRole('button', { name: 'Apply' }).click()
  await page.waitForURL(/seg\.channel=letter/)
  // The URL changes as the new data arrives; wait for the re-rendered table rather than racing it.
  await settle(page)
  await table.locator('[data-testid="low-base"]').first().waitFor({ timeout: 15_000 })
  expect(await table.locator('[data-testid="low-base"]').count()).toBeGreaterThan(0)
  await page.screenshot({ path: artifactPath('dashboard-letter-filter.png'), fullPage: true })

  // Key-driver chart (a bar per driver) with its data table, and the representativeness flags
  const chart = page.getByTestId('key-driver-chart')
  await chart.waitFor()
  expect(await chart.getByTestId('driver-label').count()).toBe(6)
  expect(await chart.locator('table tbody tr').count()).toBe(6)
  expect(await page.locator('[data-hard-to-reach="true"]').count()).toBeGreaterThan(0)

  const violations = await axeViolations(page)
  expect(violations.filter((v) => v.impact === 'critical' || v.impact === 'serious')).toEqual([])
  await context.close()
})

it('refuses the dashboard without a session', async () => {
  const res = await fetch(`${server.url}/app/surveys/00000000-0000-0000-0000-000000000000/dashboard`, { redirect: 'manual' })
  expect(res.status).toBe(302)
})
