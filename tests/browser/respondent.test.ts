import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { artifactPath, axeViolations, launchBrowser } from '#tests/support/browser.ts'
import { startTestServer, type TestServer } from '#tests/support/server.ts'
import { respondentEnhanced, walkRespondentForm } from '#tests/support/respondent-walk.ts'

/**
 * The respondent page as people meet it: on a 375 px phone, with JavaScript (the server form, enhanced) and
 * without (the same form, one part per post), in English and Welsh, by keyboard only. axe-core must find no
 * WCAG 2.2 A/AA violations.
 */

const PHONE = { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
let server: TestServer
let browser: Browser

beforeAll(async () => {
  server = await startTestServer({ env: { RATE_LIMIT_CLIENT_PER_MINUTE: '10000' } })
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function context(javaScriptEnabled: boolean): Promise<BrowserContext> {
  return browser.newContext({ ...PHONE, javaScriptEnabled })
}

/**
 * What a browser without JavaScript shows, in a context where axe can still run: page scripts are blocked
 * (the app's bundles never load, so nothing hydrates), while axe is injected through the DevTools protocol.
 */
async function scriptlessContext(): Promise<BrowserContext> {
  const ctx = await browser.newContext(PHONE)
  await ctx.route(/\.(m?js)(\?.*)?$/, (route) => route.abort())
  return ctx
}

async function expectAccessible(page: Page, label: string) {
  const violations = await axeViolations(page)
  if (violations.length > 0) await page.screenshot({ path: artifactPath(`axe-${label}.png`), fullPage: true })
  expect(violations, `${label}: ${JSON.stringify(violations, null, 1)}`).toEqual([])
}

describe('respondent page without JavaScript', () => {
  for (const lang of ['en', 'cy'] as const) {
    it(`completes in ${lang === 'en' ? 'English' : 'Welsh'} on a phone with JavaScript disabled, and both pages are accessible`, async () => {
      const ctx = await context(false)
      const page = await ctx.newPage()
      const response = await page.goto(`${server.url}/s/demo?channel=phone${lang === 'cy' ? '&lang=cy' : ''}`)
      expect(response?.status()).toBe(200)
      expect(await page.locator('main').getAttribute('lang')).toBe(lang)
      // Answer the first choice of every radio group (ratings, service, equality questions), part by part.
      const names = await walkRespondentForm(page, { text: 'Quicker replies, please – diolch!' })
      expect(names.size).toBeGreaterThan(5)
      expect(names.has('channel')).toBe(false) // ?channel=phone answers that question
      await page.waitForURL(/\/s\/demo\/thanks\?receipt=/)
      const receipt = (await page.locator('.receipt').textContent())!
      expect(receipt).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/)
      if (lang === 'cy') expect(await page.locator('h1').textContent()).toMatch(/Diolch/)
      const thanksUrl = page.url()
      await ctx.close()

      const scriptless = await scriptlessContext()
      const view = await scriptless.newPage()
      await view.goto(`${server.url}/s/demo?channel=phone${lang === 'cy' ? '&lang=cy' : ''}`)
      expect(await view.locator('form button[type=submit]').count()).toBeGreaterThan(0)
      await expectAccessible(view, `nojs-${lang}`)
      expect(await view.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
      await view.goto(thanksUrl)
      await expectAccessible(view, `thanks-nojs-${lang}`)
      await scriptless.close()
    })
  }

  it('shows every problem in an error summary after an invalid post, accessibly', async () => {
    const ctx = await scriptlessContext()
    const page = await ctx.newPage()
    await page.goto(`${server.url}/s/demo`)
    await page.locator('button[name=intent][value=next]').click()
    await page.locator('input[name=overall]').first().waitFor()
    await page.evaluate(() => {
      const radio = document.querySelector('input[type=radio][name=overall]') as HTMLInputElement
      radio.value = '9'
      radio.checked = true
    })
    await page.locator('button[name=intent][value=next]').click()
    await page.waitForSelector('.error-summary')
    expect(await page.locator('.error-summary').textContent()).toMatch(/not one of the answers offered/)
    await expectAccessible(page, 'nojs-errors')
    await ctx.close()
  })
})

describe('respondent page with JavaScript', () => {
  for (const lang of ['en', 'cy'] as const) {
    it(`the enhanced page is accessible in ${lang === 'en' ? 'English' : 'Welsh'} on a phone`, async () => {
      const ctx = await context(true)
      const page = await ctx.newPage()
      await page.goto(`${server.url}/s/demo${lang === 'cy' ? '?lang=cy' : ''}`)
      await respondentEnhanced(page)
      expect(await page.locator(`button[name=intent][value=lang-${lang === 'cy' ? 'en' : 'cy'}]`).count()).toBe(1)
      await expectAccessible(page, `js-${lang}`)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
      await ctx.close()
    })
  }

  it('a keyboard-only respondent completes the survey', async () => {
    const ctx = await context(true)
    const page = await ctx.newPage()
    await page.goto(`${server.url}/s/demo?channel=online`)
    await respondentEnhanced(page)
    // Tab through the page; on a radio group not yet answered press Space; on Next/Send press Enter.
    const answered = new Set<string>()
    for (let step = 0; step < 600 && !page.url().includes('/thanks'); step++) {
      await page.keyboard.press('Tab')
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement | null
        if (!el) return null
        return { tag: el.tagName, type: el.type, name: el.name, value: el.value, text: (el.textContent ?? '').trim(), title: el.title }
      })
      if (!focused) continue
      if (focused.tag === 'INPUT' && focused.type === 'radio' && !answered.has(focused.name)) {
        await page.keyboard.press('Space')
        answered.add(focused.name)
      } else if ((focused.tag === 'INPUT' && focused.type === 'button') || focused.tag === 'BUTTON') {
        const label = `${focused.value} ${focused.text} ${focused.title}`
        if (/Next|Send my answers|Complete/i.test(label)) {
          await page.keyboard.press('Enter')
          await page.waitForTimeout(300)
        }
      }
    }
    await page.waitForURL(/\/thanks\?receipt=/, { timeout: 15_000 })
    expect(answered.size).toBeGreaterThanOrEqual(7)
    expect(await page.locator('.receipt').textContent()).toMatch(/^[0-9A-Z]{4}-/)
    await expectAccessible(page, 'thanks-js')
    await ctx.close()
  })

  it('a double submit makes one response with one receipt', async () => {
    const ctx = await context(true)
    const page = await ctx.newPage()
    await page.goto(`${server.url}/s/demo`)
    await respondentEnhanced(page)
    // Send the same key twice at once, as a double tap would, through the page's own fetch.
    const receipts = await page.evaluate(async () => {
      const body = JSON.stringify({ id: crypto.randomUUID(), answers: { overall: 5 }, segments: {} })
      const send = () => fetch('/api/v1/surveys/demo/responses', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }).then((r) => r.json() as Promise<{ receipt: string }>)
      const [a, b] = await Promise.all([send(), send()])
      return [a.receipt, b.receipt]
    })
    expect(receipts[0]).toBe(receipts[1])
    await ctx.close()
  })
})
