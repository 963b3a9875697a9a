import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import type { Browser, Page } from 'playwright-core'
import { errorText } from '#app/i18n/errors.ts'
import { LANG_COOKIE } from '#app/services/respondent-lang.server.ts'
import { artifactPath, axeViolations, launchBrowser } from '#tests/support/browser.ts'
import { startTestServer, type TestServer } from '#tests/support/server.ts'
import { publishLogicSurvey, storedResponse } from '#tests/support/respondent-fixtures.ts'
import { respondentEnhanced, walkRespondentForm } from '#tests/support/respondent-walk.ts'

/**
 * Issue 13: a respondent who switches language mid-survey loses nothing. The switch on the survey page is a
 * button of the form (app/components/respondent-form.tsx), so the answers on the current part go with it and
 * come back ticked, on the same part, in the other language; with JavaScript and with JavaScript disabled.
 * The choice is remembered (app/services/respondent-lang.server.ts), so error pages speak it too.
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

/** The response whose receipt the thank-you page shows, its answers as text. */
async function storedOnThanksPage(page: Page) {
  const stored = await storedResponse(server.databaseUrl!, (await page.locator('.receipt').textContent())!.trim())
  return { answers: Object.fromEntries(Object.entries(stored!.answers).map(([k, v]) => [k, String(v)])), segments: stored!.segments }
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
      const stored = await storedOnThanksPage(page)
      expect(stored.answers).toMatchObject(given)
      expect(stored.segments.channel).toBe('phone')
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

describe.skipIf(!process.env.TEST_DATABASE_URL)('error pages in the language the respondent chose', () => {
  /** React writes an apostrophe in text as &#x27;. */
  const inHtml = (text: string) => text.replaceAll("'", '&#x27;')

  it('after choosing Cymraeg, a missing or closed survey answers in Welsh without ?lang, until English is chosen', async () => {
    const slug = await publishLogicSurvey(server.databaseUrl!)
    const client = new pg.Client({ connectionString: server.databaseUrl })
    await client.connect()
    await client.query(`update surveys set status = 'closed' where slug = $1`, [slug])
    await client.end()

    const ctx = await browser.newContext(PHONE)
    const page = await ctx.newPage()
    await page.goto(`${server.url}/s/demo`)
    await respondentEnhanced(page)
    await page.locator('button[name=intent][value=lang-cy]').click()
    await expect.poll(() => heading(page)).toMatch(/^Rhan 1 o/)

    expect((await page.goto(`${server.url}/s/no-such-survey`))?.status()).toBe(404)
    expect(await page.locator('h1').textContent()).toBe(errorText.cy.title404)
    expect(await page.locator('html').getAttribute('lang')).toBe('cy')
    expect(await page.locator('.skip-link').textContent()).toBe("Neidio i'r prif gynnwys")
    expect((await page.goto(`${server.url}/s/${slug}`))?.status()).toBe(410)
    expect(await page.locator('h1').textContent()).toBe(errorText.cy.title410)

    // The error page's own switch chooses English, and that choice is kept too.
    await page.locator('a[hreflang=en]').click()
    await expect.poll(() => page.locator('h1').textContent()).toBe(errorText.en.title410)
    expect((await page.goto(`${server.url}/s/no-such-survey`))?.status()).toBe(404)
    expect(await page.locator('h1').textContent()).toBe(errorText.en.title404)
    expect(await page.locator('html').getAttribute('lang')).toBe('en')
    await ctx.close()
  })

  it('without a choice, Accept-Language: cy decides; a choice beats it', async () => {
    const missing = (headers: Record<string, string>) => fetch(`${server.url}/s/no-such-survey`, { headers }).then((r) => r.text())
    const welsh = await missing({ 'Accept-Language': 'cy-GB,cy;q=0.9,en;q=0.5' })
    expect(welsh).toContain('<html lang="cy"')
    expect(welsh).toContain(inHtml(errorText.cy.title404))
    const english = await missing({ 'Accept-Language': 'en-GB,en;q=0.9,cy;q=0.5' })
    expect(english).toContain('<html lang="en"')
    expect(english).toContain(errorText.en.title404)
    const chosen = await missing({ 'Accept-Language': 'cy', Cookie: `${LANG_COOKIE}=en` })
    expect(chosen).toContain(errorText.en.title404)
  })
})

describe.skipIf(!process.env.TEST_DATABASE_URL)('answers kept on the device', () => {
  it('bring back the part the respondent had reached, with its answers', async () => {
    const ctx = await browser.newContext(PHONE)
    const page = await ctx.newPage()
    await page.goto(`${server.url}/s/demo`)
    await respondentEnhanced(page)
    await page.locator('button[name=intent][value=next]').click()
    await expect.poll(() => heading(page)).toMatch(/^Part 2 of/)
    const part2 = await tickLastChoices(page)
    expect(Object.keys(part2).length).toBeGreaterThan(0)
    // Kept on the device once ticked (app/components/respondent-enhance.ts).
    await page.waitForFunction((names) => {
      const raw = window.localStorage.getItem('cse-insight:answers:demo')
      const values = raw ? (JSON.parse(raw) as { values: Record<string, string[]> }).values : {}
      return names.every((name) => (values[name] ?? []).length > 0)
    }, Object.keys(part2))
    await page.close()

    // The page opened again on this device: the same part, its answers ticked, no error.
    const again = await ctx.newPage()
    await again.goto(`${server.url}/s/demo`)
    await respondentEnhanced(again)
    await expect.poll(() => heading(again)).toMatch(/^Part 2 of/)
    for (const [name, value] of Object.entries(part2))
      expect(await again.locator(`input[name="${name}"][value="${value}"]`).isChecked(), name).toBe(true)
    expect(await again.locator('.error-summary').count()).toBe(0)
    await again.locator('button[name=intent][value=next]').click()
    await expect.poll(() => heading(again)).toMatch(/^Part 3 of/)
    await walkRespondentForm(again)
    expect((await storedOnThanksPage(again)).answers).toMatchObject(part2)
    await ctx.close()
  })
})
