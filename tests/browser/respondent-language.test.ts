import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { artifactPath, axeViolations, launchBrowser } from '#tests/support/browser.ts'
import { startTestServer, type TestServer } from '#tests/support/server.ts'
import { publishLogicSurvey, storedResponse } from '#tests/support/respondent-fixtures.ts'
import { respondentEnhanced, walkRespondentForm } from '#tests/support/respondent-walk.ts'

/**
 * Issue 13: a respondent who switches language mid-survey loses nothing. The switch on the survey page is a
 * button of the form (app/components/respondent-form.tsx), so the answers on the current part go with it and
 * come back ticked, on the same part, in the other language; with JavaScript and with JavaScript disabled.
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

/** Polls through locators: they work when the page's JavaScript is disabled. */
const heading = (page: Page) => page.locator('#page-heading').textContent()

/** Tick the last choice of every radio group of the current part (the walk ticks first choices); name → value. */
async function tickLastChoices(page: Page): Promise<Record<string, string>> {
  const given: Record<string, string> = {}
  for (const fieldset of await page.locator('form fieldset:visible').all()) {
    const radio = fieldset.locator('input[type=radio]').last()
    if ((await radio.count()) === 0) continue
    await radio.check()
    given[(await radio.getAttribute('name'))!] = (await radio.getAttribute('value'))!
  }
  return given
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('switching language mid-survey', () => {
  for (const javaScriptEnabled of [false, true]) {
    const mode = javaScriptEnabled ? 'with JavaScript' : 'with JavaScript disabled'
    it(`keeps the answers of the current part and stays on it, ${mode}`, async () => {
      const ctx = await browser.newContext({ ...PHONE, javaScriptEnabled })
      const page = await ctx.newPage()
      await page.goto(`${server.url}/s/demo?channel=phone`)
      if (javaScriptEnabled) await respondentEnhanced(page)
      const first = await heading(page)
      await page.locator('button[name=intent][value=next]').click()
      await expect.poll(() => heading(page)).not.toBe(first)
      expect(await heading(page)).toMatch(/^Part 2 of/)
      const given = await tickLastChoices(page)
      expect(Object.keys(given).length).toBeGreaterThan(0)

      const toWelsh = page.locator('button[name=intent][value=lang-cy]')
      expect(await toWelsh.textContent()).toBe('Cymraeg')
      expect(await toWelsh.getAttribute('lang')).toBe('cy')
      await toWelsh.click()
      await expect.poll(() => heading(page)).toMatch(/^Rhan 2 o/)
      expect(await page.locator('html').getAttribute('lang')).toBe('cy')
      expect(await page.locator('main').getAttribute('lang')).toBe('cy')
      expect(await page.locator('.skip-link').textContent()).toBe("Neidio i'r prif gynnwys")
      expect(page.url()).toMatch(/[?&]lang=cy/)
      expect(page.url()).toMatch(/[?&]channel=phone/)
      for (const [name, value] of Object.entries(given)) {
        expect(await page.locator(`input[name="${name}"][value="${value}"]`).isChecked(), name).toBe(true)
      }
      const toEnglish = page.locator('button[name=intent][value=lang-en]')
      expect(await toEnglish.textContent()).toBe('English')
      expect(await toEnglish.getAttribute('lang')).toBe('en')
      if (javaScriptEnabled) {
        // Focus stays on the switch, not moved as by Next, and the page is accessible in Welsh.
        expect(await page.evaluate(() => (document.activeElement as HTMLButtonElement | null)?.value)).toBe('lang-en')
        const violations = await axeViolations(page)
        if (violations.length > 0) await page.screenshot({ path: artifactPath('axe-language-switch.png'), fullPage: true })
        expect(violations).toEqual([])
      }

      // Go on in Welsh: the answers given before the switch reach the database.
      await page.locator('button[name=intent][value=next]').click()
      await expect.poll(() => heading(page)).toMatch(/^Rhan 3 o/)
      await walkRespondentForm(page)
      const receipt = (await page.locator('.receipt').textContent())!.trim()
      const stored = await storedResponse(server.databaseUrl!, receipt)
      const storedAsText = Object.fromEntries(Object.entries(stored!.answers).map(([k, v]) => [k, String(v)]))
      expect(storedAsText).toMatchObject(given)
      expect(stored!.segments.channel).toBe('phone')
      await ctx.close()
    })
  }

  it('switching checks nothing: a part with a required question left blank switches without an error', async () => {
    const slug = await publishLogicSurvey(server.databaseUrl!)
    const ctx = await browser.newContext({ ...PHONE, javaScriptEnabled: false })
    const page = await ctx.newPage()
    await page.goto(`${server.url}/s/${slug}?lang=cy`)
    await page.locator('button[name=intent][value=next]').click()
    await page.locator('input[name=overall]').first().waitFor()
    const part = (await heading(page))!.match(/^Rhan (\d+) o/)![1]
    await page.locator('button[name=intent][value=lang-en]').click()
    await expect.poll(() => heading(page)).toMatch(new RegExp(`^Part ${part} of`))
    expect(await page.locator('.error-summary').count()).toBe(0)
    // Next still checks it.
    await page.locator('button[name=intent][value=next]').click()
    await page.locator('.error-summary').waitFor()
    await ctx.close()
  })
})
