import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { artifactPath, axeViolations, launchBrowser } from '#tests/support/browser.ts'
import { startTestServer, type TestServer } from '#tests/support/server.ts'
import { publishLogicSurvey, storedResponse } from '#tests/support/respondent-fixtures.ts'
import { pageScripts } from '../../bench/respondent-js/page-scripts.ts'

/**
 * Issue 13: a respondent on a slow phone loses nothing. The page is the server-rendered form; scripts only
 * enhance it. Here the network is 1.6 Mbit/s with 300 ms latency, the CPU 4x slower, the screen 360 px, and
 * the respondent answers the moment the form appears, before any script has arrived (the scripts are held
 * back until then, so "before" is certain, not a race). Every answer must reach the database.
 * Logic (a part shown only for low scores, a follow-up on the same part), required questions and Welsh are
 * checked with and without JavaScript.
 */

const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true }
let server: TestServer
let browser: Browser
let logic: string

beforeAll(async () => {
  server = await startTestServer({ env: { RATE_LIMIT_CLIENT_PER_MINUTE: '10000' } })
  browser = await launchBrowser()
  if (server.databaseUrl) logic = await publishLogicSurvey(server.databaseUrl)
})
afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function slowPhone(page: Page) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 300,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  })
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 })
}

/**
 * Tick the first choice of every visible radio group of the current part, including groups that appear
 * because of an earlier answer (a follow-up); returns name → value.
 */
async function answerPart(page: Page): Promise<Record<string, string>> {
  const answered: Record<string, string> = {}
  for (let pass = 0; pass < 3; pass++) {
    const names = await page.locator('form fieldset:visible input[type=radio]').evaluateAll((inputs) => [
      ...new Set(inputs.map((i) => (i as HTMLInputElement).name)),
    ])
    const fresh = names.filter((name) => !(name in answered))
    if (fresh.length === 0 && pass > 0) break
    const scripted = (await page.locator('input[name=via]').inputValue()) === 'web'
    for (const name of fresh) {
      const radio = page.locator(`input[type=radio][name="${name}"]`).first()
      // With scripts, a follow-up appears once the server has answered the visibility check for a trigger.
      const trigger = scripted && (await page.locator(`[data-question="${name}"][data-trigger]`).count()) > 0
      const checked = trigger ? page.waitForResponse((r) => /intent=visibility/.test(r.request().postData() ?? '')) : null
      await radio.check()
      await checked
      answered[name] = (await radio.getAttribute('value'))!
    }
  }
  return answered
}

const heading = (page: Page) => page.locator('#page-heading').textContent()
const enhanced = (page: Page) => page.waitForFunction(() => (document.querySelector('input[name=via]') as HTMLInputElement | null)?.value === 'web')

/**
 * JavaScript on or off. "Off" blocks the app's scripts rather than disabling JavaScript, so that axe can still
 * run in the page: nothing of the app loads, nothing hydrates, every step is a plain form post.
 */
async function phone(javaScriptEnabled: boolean): Promise<BrowserContext> {
  const ctx = await browser.newContext(PHONE)
  if (!javaScriptEnabled) await ctx.route(/\.(m?js)(\?.*)?$/, (route) => route.abort())
  return ctx
}

async function expectAccessible(page: Page, label: string) {
  const violations = await axeViolations(page)
  if (violations.length > 0) await page.screenshot({ path: artifactPath(`axe-${label}.png`), fullPage: true })
  expect(violations, `${label}: ${JSON.stringify(violations, null, 1)}`).toEqual([])
}

describe('a respondent on a slow phone', () => {
  it('loads no SurveyJS code: the built page lists only the app\'s own small scripts', async () => {
    const scripts = pageScripts(await (await fetch(`${server.url}/s/demo`)).text())
    expect(scripts.length).toBeGreaterThan(3)
    expect(scripts.filter((s) => s.surveyJs || /survey-(core|react)/.test(s.file)).map((s) => s.file)).toEqual([])
  })

  it('answers before the scripts arrive, goes on with them, and every answer is stored', async () => {
    const ctx = await browser.newContext(PHONE)
    let release!: () => void
    const scriptsHeld = new Promise<void>((resolve) => (release = resolve))
    await ctx.route(/\/assets\/.*\.js$/, async (route) => {
      await scriptsHeld
      await route.continue()
    })
    const page = await ctx.newPage()
    await slowPhone(page)
    await page.goto(`${server.url}/s/demo?channel=phone`, { waitUntil: 'commit' })
    await page.locator('form fieldset input[type=radio]').first().waitFor()
    const given: Record<string, unknown> = await answerPart(page)
    // The segment's question is not asked: the link says how the customer reached us.
    expect(await page.locator('input[name=channel]').count()).toBe(0)
    expect(await page.locator('input[name=via]').inputValue()).toBe('nojs')
    release()
    await enhanced(page)
    // Hydration kept every answer ticked before the scripts ran, and the language switch is still there.
    for (const [name, value] of Object.entries(given)) {
      expect(await page.locator(`input[name="${name}"][value="${value}"]`).isChecked(), name).toBe(true)
    }
    expect(await page.locator('button[name=intent][value=lang-cy]').count()).toBe(1)
    let receipt: string | null = null
    for (let part = 0; part < 8 && receipt === null; part++) {
      const before = await heading(page)
      const button = page.locator('button[name=intent][value=next]')
      const sending = /Send my answers/.test((await button.textContent()) ?? '')
      await button.click()
      if (sending) {
        await page.waitForURL(/\/thanks\?receipt=/, { timeout: 60_000 })
        receipt = (await page.locator('.receipt').textContent())!.trim()
        break
      }
      await page.waitForFunction((text) => document.querySelector('#page-heading')?.textContent !== text, before)
      // Focus moves to the new part's heading, so a screen reader starts there.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('page-heading')
      Object.assign(given, await answerPart(page))
      const comment = page.locator('textarea:visible')
      if ((await comment.count()) > 0) {
        await comment.first().fill('Quicker replies, please')
        given[(await comment.first().getAttribute('name'))!] = 'Quicker replies, please'
      }
    }
    expect(receipt).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}$/)
    const stored = await storedResponse(server.databaseUrl!, receipt!)
    expect(stored).not.toBeNull()
    expect(Object.keys(given).length).toBeGreaterThan(10)
    const storedAsText = Object.fromEntries(Object.entries(stored!.answers).map(([k, v]) => [k, String(v)]))
    expect(storedAsText).toMatchObject(given)
    expect(stored!.segments.channel).toBe('phone')
    expect(stored!.source).toBe('web')
    await ctx.close()
  })
})

describe.skipIf(!process.env.TEST_DATABASE_URL)('logic and required questions', () => {
  for (const javaScriptEnabled of [true, false]) {
    const mode = javaScriptEnabled ? 'with JavaScript' : 'without JavaScript'
    it(`a required question gets an error summary linked to it, ${mode}`, async () => {
      const ctx = await phone(javaScriptEnabled)
      const page = await ctx.newPage()
      await page.goto(`${server.url}/s/${logic}`)
      if (javaScriptEnabled) await enhanced(page)
      await page.locator('button[name=intent][value=next]').click() // part 1: nothing required
      await page.locator('input[name=overall]').first().waitFor()
      await page.locator('button[name=intent][value=next]').click()
      await page.locator('.error-summary').waitFor()
      expect(await page.locator('.error-summary').textContent()).toMatch(/Answer "Overall, how satisfied/)
      expect(await page.locator('.error-summary a').first().getAttribute('href')).toBe('#q-overall-0')
      expect(await page.locator('#q-overall .error-message').count()).toBe(1)
      if (javaScriptEnabled) expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true)
      await expectAccessible(page, `required-${javaScriptEnabled ? 'js' : 'nojs'}`)
      await ctx.close()
    })

    it(`a part and a follow-up show only when their condition holds, ${mode}`, async () => {
      const ctx = await phone(javaScriptEnabled)
      const page = await ctx.newPage()
      await page.goto(`${server.url}/s/${logic}`)
      if (javaScriptEnabled) await enhanced(page)
      const next = () => page.locator('button[name=intent][value=next]').click()
      await next()
      await page.locator('input[name=overall]').first().waitFor()
      // Very satisfied (5): the "your ideas" part is skipped, straight to "about you".
      await page.locator('input[name=overall][value="5"]').check()
      await next()
      await page.locator('input[name=age_band]').first().waitFor()
      expect(await page.locator('textarea[name=improve]').count()).toBe(0)
      const followUp = page.locator('[data-question=gender_identity_text]')
      if (javaScriptEnabled) {
        await expect.poll(() => followUp.isHidden()).toBe(true)
        await page.locator('input[name=gender_identity][value=no]').check()
        await expect.poll(() => followUp.isVisible()).toBe(true)
        await page.locator('input[name=gender_identity][value=yes]').check()
        await expect.poll(() => followUp.isHidden()).toBe(true)
      } else {
        // Without scripts the follow-up is on the page, saying when it applies.
        expect(await followUp.isVisible()).toBe(true)
        expect(await followUp.textContent()).toMatch(/if it applies to you/)
      }
      // Back to the rating: a low score brings the "your ideas" part in.
      await page.locator('button[name=intent][value=previous]').click()
      await page.locator('input[name=overall]').first().waitFor()
      await page.locator('input[name=overall][value="1"]').check()
      await next()
      await page.locator('textarea[name=improve]').waitFor()
      await page.locator('textarea[name=improve]').fill('Call me back')
      await next()
      await page.locator('input[name=age_band]').first().waitFor()
      await page.locator('input[name=gender_identity][value=yes]').check()
      await page.locator('button[name=intent][value=next]', { hasText: 'Send my answers' }).click()
      await page.waitForURL(/\/thanks\?receipt=/)
      // The completion text set for the survey, as text: the tags and the script are gone.
      expect(await page.locator('[data-testid=completed-text]').textContent()).toBe('We will call you back within a week.')
      const receipt = (await page.locator('.receipt').textContent())!.trim()
      const stored = await storedResponse(server.databaseUrl!, receipt)
      expect(stored?.answers).toMatchObject({ overall: 1, improve: 'Call me back', gender_identity: 'yes' })
      expect(stored?.answers.gender_identity_text).toBeUndefined()
      await ctx.close()
    })
  }
})

describe.skipIf(!process.env.TEST_DATABASE_URL)('closed and missing surveys over HTTP', () => {
  it('404 and 410 carry Cache-Control: no-store, so a reopened survey shows as open in the same tab', async () => {
    const missing = await fetch(`${server.url}/s/no-such-survey`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('cache-control')).toBe('no-store')
    const slug = await publishLogicSurvey(server.databaseUrl!)
    const setStatus = async (status: 'open' | 'closed') => {
      const client = new pg.Client({ connectionString: server.databaseUrl })
      await client.connect()
      await client.query('update surveys set status = $1 where slug = $2', [status, slug])
      await client.end()
    }
    await setStatus('closed')
    const closed = await fetch(`${server.url}/s/${slug}`)
    expect(closed.status).toBe(410)
    expect(closed.headers.get('cache-control')).toBe('no-store')
    await setStatus('open')
    const reopened = await fetch(`${server.url}/s/${slug}`)
    expect(reopened.status).toBe(200)
    expect(reopened.headers.get('cache-control')).toBe('no-store')
  })
})

describe('Welsh and a blank response', () => {
  for (const javaScriptEnabled of [true, false]) {
    const mode = javaScriptEnabled ? 'with JavaScript' : 'without JavaScript'
    it(`the page speaks Welsh throughout and refuses a blank response, ${mode}`, async () => {
      const ctx = await phone(javaScriptEnabled)
      const page = await ctx.newPage()
      await page.goto(`${server.url}/s/demo?lang=cy`)
      if (javaScriptEnabled) await enhanced(page)
      expect(await page.locator('main').getAttribute('lang')).toBe('cy')
      expect(await page.locator('button[name=intent][value=lang-en]').textContent()).toBe('English')
      expect(await heading(page)).toMatch(/^Rhan 1 o 4/)
      for (let part = 0; part < 3; part++) {
        const before = await heading(page)
        await page.locator('button[name=intent][value=next]', { hasText: 'Nesaf' }).click()
        await page.waitForFunction((text) => document.querySelector('#page-heading')?.textContent !== text, before)
      }
      expect(await page.locator('button[name=intent][value=previous]').textContent()).toBe('Blaenorol')
      await page.locator('button[name=intent][value=next]', { hasText: 'Anfon fy atebion' }).click()
      await page.locator('.error-summary').waitFor()
      expect(await page.locator('.error-summary h2').textContent()).toBe('Mae problem')
      expect(await page.locator('.error-summary').textContent()).toMatch(/Nid ydych wedi ateb unrhyw gwestiynau/)
      expect(page.url()).not.toMatch(/thanks/)
      await expectAccessible(page, `blank-cy-${javaScriptEnabled ? 'js' : 'nojs'}`)
      await ctx.close()
    })
  }
})
