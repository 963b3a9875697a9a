import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { DEMO_ADMIN } from '#db/seed.ts'
import { artifactPath, axeViolations, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { signInThroughForm } from '../support/sign-in.ts'

/**
 * Issue 14, item 6: a dashboard a service manager can read. On the demo survey, at 1280 px and at 360 px:
 * plain English beside the figures, the technical terms in "How this was worked out" panels, all seven measures
 * without sideways scrolling at 1280 px, key-driver labels that do not overlap, a page that reflows on a phone,
 * and no axe-core WCAG 2.2 A/AA violations. Needs `npm run build` first. Saves artifacts/dashboard-1280.png and
 * artifacts/dashboard-360.png.
 */
let server: TestServer
let browser: Browser
let dashboardUrl: string

beforeAll(async () => {
  server = await startTestServer()
  browser = await launchBrowser()
  const page = await browser.newPage()
  await signInThroughForm(page, server.url, DEMO_ADMIN)
  const href = await page
    .locator('a[href^="/app/surveys/"]')
    .evaluateAll((links) =>
      links.map((a) => a.getAttribute('href')!).find((h) => /^\/app\/surveys\/[0-9a-f-]{36}/.test(h)),
    )
  dashboardUrl = `${server.url}/app/surveys/${href!.match(/[0-9a-f-]{36}/)![0]}/dashboard`
  await page.context().storageState({ path: artifactPath('dashboard-readable-state.json') })
  await page.close()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function openAt(width: number): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    storageState: artifactPath('dashboard-readable-state.json'),
  })
  const page = await context.newPage()
  await page.goto(dashboardUrl)
  await page.getByRole('heading', { name: /Insight dashboard/ }).waitFor()
  return page
}

/** Label boxes of the key-driver chart that overlap another (by more than half a pixel each way). */
async function overlappingDriverLabels(page: Page): Promise<string[]> {
  return page.getByTestId('driver-label').evaluateAll((labels) => {
    const boxes = labels.map((l) => ({ text: l.textContent ?? '', r: l.getBoundingClientRect() }))
    const clashes: string[] = []
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!.r
        const b = boxes[j]!.r
        const overlapX = Math.min(a.right, b.right) - Math.max(a.left, b.left)
        const overlapY = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)
        if (overlapX > 0.5 && overlapY > 0.5) clashes.push(`${boxes[i]!.text} / ${boxes[j]!.text}`)
      }
    return clashes
  })
}

it('at 1280 px: every measure fits without sideways scrolling, figures are in plain English, methods are in panels', async () => {
  const page = await openAt(1280)
  const table = page.getByTestId('satisfaction-table')
  // seven measures (six drivers and overall satisfaction), each a column
  expect(await table.locator('thead th[scope="col"]').count()).toBe(8)

  const widths = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
    table: document.querySelector('[data-testid="satisfaction-table"]')!.scrollWidth,
    region: document.querySelector('[data-testid="satisfaction-table"]')!.parentElement!.clientWidth,
  }))
  expect(widths.page).toBeLessThanOrEqual(widths.viewport)
  expect(widths.table).toBeLessThanOrEqual(widths.region)

  // Plain English beside each whole-survey figure, with the same range the table shows
  const headline = page.getByTestId('headline-figures').locator('li[data-rating="overall"]')
  const sentence = await headline.getByTestId('plain-interval').innerText()
  const [, lower, upper] = /^We can be fairly sure the true figure is between (\d+%) and (\d+%)\.$/.exec(
    sentence,
  )!
  const overallColumn = await table
    .locator('thead th[scope="col"]')
    .evaluateAll((ths) => ths.findIndex((th) => th.getAttribute('data-rating') === 'overall'))
  expect(overallColumn).toBeGreaterThan(0)
  const overallCell = table.locator('#satisfaction-overall td').nth(overallColumn - 1)
  expect(await overallCell.getByTestId('interval').innerText()).toBe(`${lower}–${upper}`)

  // ▲/▼ say what they mean, in the key and to screen readers in every flagged cell
  const key = await page.getByTestId('how-to-read').innerText()
  expect(key).toMatch(/▲ higher than the rest of customers, and the difference is unlikely to be chance/i)
  expect(key).toMatch(/▼ lower than the rest of customers, and the difference is unlikely to be chance/i)
  const flagged = table.locator('td[data-significance]')
  expect(await flagged.count()).toBeGreaterThan(0)
  expect(await flagged.first().locator('.sig .sr-only').textContent()).toMatch(
    /than the rest of customers, and the difference is unlikely to be chance/,
  )

  // Technical terms are only inside the "How this was worked out" panels, and the analyst's figures are there
  const visibleText = await page.locator('main').evaluate((main) => {
    const clone = main.cloneNode(true) as HTMLElement
    clone.querySelectorAll('details').forEach((d) => d.remove())
    return clone.textContent ?? ''
  })
  for (const term of [
    'Holm',
    'Rao-Scott',
    'Kish',
    'design effect',
    'effective',
    'Johnson',
    'Shapley',
    'R²',
  ]) {
    expect(visibleText, term).not.toContain(term)
  }
  const methods = page.getByTestId('satisfaction-methods')
  await methods.locator('summary').click()
  expect(await methods.innerText()).toMatch(/Holm/)
  expect(
    await methods
      .getByTestId('effective-bases')
      .locator('td', { hasText: /^eff\. \d/ })
      .count(),
  ).toBeGreaterThan(50)
  expect(await methods.getByTestId('segment-tests').innerText()).toMatch(/Rao-Scott p/)
  const weighting = page.getByTestId('weighting-summary')
  await weighting.locator('summary').click()
  expect(Number((await weighting.getByTestId('ess').innerText()).replace(/[^0-9.]/g, ''))).toBeGreaterThan(
    500,
  )
  expect(Number(await weighting.getByTestId('deff').innerText())).toBeGreaterThan(1)
  const kdMethods = page.getByTestId('key-driver-methods')
  await kdMethods.locator('summary').click()
  expect(await kdMethods.innerText()).toMatch(/Shapley/)
  expect(await page.getByTestId('trend-methods').textContent()).toMatch(/p [<\d]/)

  // Key-driver labels: six, none overlapping
  const chart = page.getByTestId('key-driver-chart')
  expect(await chart.getByTestId('driver-label').count()).toBe(6)
  expect(await overlappingDriverLabels(page)).toEqual([])

  await page.screenshot({ path: artifactPath('dashboard-1280.png'), fullPage: true })
  expect(await axeViolations(page)).toEqual([])
  await page.context().close()
})

it('at 360 px: the page reflows without sideways scrolling; wide tables scroll in their own labelled region', async () => {
  const page = await openAt(360)
  const layout = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    viewport: document.documentElement.clientWidth,
    // what sticks out, outside the scrolling regions (named when the page is too wide)
    overflowing: [...document.querySelectorAll('body *')]
      .filter(
        (e) =>
          !e.parentElement?.closest('.table-scroll') &&
          e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5,
      )
      .slice(0, 8)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`),
    // every table wider than the page sits in a focusable, labelled scrolling region
    unwrapped: [...document.querySelectorAll('main table')]
      .filter((t) => t.getBoundingClientRect().width > document.documentElement.clientWidth)
      .filter((t) => {
        const region = t.closest('.table-scroll')
        return (
          !region ||
          region.getAttribute('tabindex') !== '0' ||
          region.getAttribute('role') !== 'region' ||
          !(region.getAttribute('aria-label') || region.getAttribute('aria-labelledby'))
        )
      })
      .map((t) => t.querySelector('caption')?.textContent ?? t.outerHTML.slice(0, 80)),
  }))
  expect(layout.overflowing).toEqual([])
  expect(layout.page).toBeLessThanOrEqual(layout.viewport)
  expect(layout.unwrapped).toEqual([])
  expect(await overlappingDriverLabels(page)).toEqual([])
  // open the panels too, so their tables are checked as they will be read
  for (const summary of await page.locator('details.methods > summary').all()) await summary.click()
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(layout.viewport)
  await page.screenshot({ path: artifactPath('dashboard-360.png'), fullPage: true })
  expect(await axeViolations(page)).toEqual([])
  await page.context().close()
})
