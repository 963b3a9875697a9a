import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { DEMO_ADMIN } from '#db/seed.ts'
import { artifactPath, axeViolations, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { finishSignIn } from '../support/sign-in.ts'
import { respondentEnhanced } from '../support/respondent-walk.ts'

/**
 * Issue 5's journey, in a real browser against the production server (needs `npx remix vite:build` first): an
 * analyst creates a survey from the core template, adds a local rating, publishes it, opens the link and answers
 * it; the staff overview shows the answer against version 1. After a wording change and a re-publish, a new answer
 * goes to version 2 and version 1 keeps its own. An XSS payload typed into the survey title and completion text
 * never runs on the respondent page.
 */
let server: TestServer
let browser: Browser

const XSS_TITLE =
  'Residents survey <img src=x onerror="window.__xss=1"> &lt;img src=x onerror=window.__xss=2&gt;'
const XSS_COMPLETION =
  '<p>Thanks!</p><img src=x onerror="window.__xss=3"><a href="javascript:window.__xss=4">more</a>'

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
  // Admins sign in with two factors (tests/support/sign-in.ts).
  await finishSignIn(page, server.url, DEMO_ADMIN)
}

async function responsesOfVersion(page: Page, surveyId: string, version: number): Promise<number> {
  await page.goto(`${server.url}/app/surveys/${surveyId}`)
  return Number((await page.locator(`tr[data-version="${version}"] td.num`).innerText()).replace(/\D/g, ''))
}

/** Answer the server-rendered form with JavaScript off: the path every respondent has first. */
async function answerWithoutJavaScript(slug: string, rating: string) {
  const ctx = await browser.newContext({ javaScriptEnabled: false })
  const page = await ctx.newPage()
  await page.goto(`${server.url}/s/${slug}`)
  // One part per post: answer the two questions on whichever part holds them, then Next to the end.
  for (let part = 0; part < 10 && !page.url().includes('/thanks'); part++) {
    const overall = page.locator('input[type=radio][name="overall"][value="5"]')
    if ((await overall.count()) > 0) await overall.check()
    const local = page.locator(`input[type=radio][name="bin_collection"][value="${rating}"]`)
    if ((await local.count()) > 0) await local.check()
    await page.locator('button[name=intent][value=next]').click()
    await page.waitForLoadState()
  }
  await page.waitForURL(/\/thanks\?receipt=/)
  await ctx.close()
}

it('an analyst goes from template to published survey, and answers stay with their version', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
  const page = await context.newPage()
  const dialogs: string[] = []
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  await signIn(page)

  // 1. Create from the core template
  await page.getByRole('link', { name: 'New survey' }).first().click()
  await page.waitForURL(/\/app\/surveys\/new$/)
  await page.getByLabel(/Core customer satisfaction/).check()
  await page.getByLabel('Add the equality monitoring questions at the end').uncheck()
  const slug = `residents-${randomUUID().slice(0, 8)}`
  await page.getByLabel('Survey title (for staff)').fill('Residents survey 2026')
  await page.getByLabel('Link name').fill(slug)
  await page.getByRole('button', { name: 'Create draft survey' }).click()
  await page.waitForURL(/\/app\/surveys\/[0-9a-f-]{36}\/edit$/)
  const surveyId = page.url().match(/surveys\/([0-9a-f-]{36})/)![1]!
  await page.getByRole('heading', { name: /^Edit: Residents survey 2026/ }).waitFor()
  expect(await page.getByTestId('no-problems').count(), await page.locator('main').innerText()).toBe(1)

  // 2. Add a local rating with its own driver, in English and Welsh
  await page.locator('#page').selectOption('how_we_did')
  await page.locator('#type-rating').check()
  await page.locator('#name').fill('bin_collection')
  await page.locator('#titleEn').fill('How satisfied are you with your bin collection?')
  await page.locator('#titleCy').fill('Pa mor fodlon ydych chi â chasglu eich biniau?')
  await page.locator('#driver').fill('waste_collection')
  await page.getByRole('button', { name: 'Add question' }).click()
  await expect.poll(() => page.getByTestId('notice').textContent()).toBe('Question added.')
  expect(await page.locator('[data-question="bin_collection"]').textContent()).toContain(
    'rating (waste_collection)',
  )

  // A duplicate name is refused with checkTemplate's message
  await page.locator('#name').fill('overall')
  await page.locator('#titleEn').fill('Another overall?')
  await page.getByRole('button', { name: 'Add question' }).click()
  await expect
    .poll(() => page.getByTestId('error-summary').textContent())
    .toContain('Two or more questions are called "overall"')

  // Respondent texts with XSS payloads (the survey is bilingual, so the Welsh is filled too)
  await page.locator('#survey-title-en').fill(XSS_TITLE)
  await page.locator('#survey-title-cy').fill('Arolwg preswylwyr')
  await page.locator('#completion-en').fill(XSS_COMPLETION)
  await page.locator('#completion-cy').fill('<p>Diolch!</p>')
  await page.getByRole('button', { name: 'Save survey texts' }).click()
  await expect.poll(() => page.getByTestId('notice').textContent()).toBe('Survey texts saved.')
  const violations = await axeViolations(page)
  expect(violations, JSON.stringify(violations, null, 2)).toEqual([])
  await page.screenshot({ path: artifactPath('builder.png'), fullPage: false })

  // Live preview with survey-react-ui
  await page.goto(`${server.url}/app/surveys/${surveyId}/preview`)
  await page.waitForSelector('.sd-root-modern', { timeout: 30_000 })

  // 3. Publish and open the link
  await page.goto(`${server.url}/app/surveys/${surveyId}`)
  await page.getByRole('button', { name: 'Publish' }).click()
  await expect.poll(() => page.getByTestId('notice').textContent()).toContain('Published version 1')
  const link = await page.getByTestId('public-link').getAttribute('href')
  expect(link).toBe(`/s/${slug}`)

  // The respondent page with JavaScript: the server form, enhanced; no payload runs, no dialog opens
  const respondent = await context.newPage()
  respondent.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  await respondent.goto(`${server.url}${link}`)
  await respondentEnhanced(respondent, 30_000)
  // The title typed with payloads shows as its plain words only
  expect(await respondent.locator('main').textContent()).toContain('Residents survey')
  expect(await respondent.locator('main').textContent()).not.toMatch(/onerror|<img/)
  expect(await respondent.title()).toContain('Residents survey')
  expect(await respondent.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined()
  expect(await respondent.locator('img[onerror], [onerror], a[href^="javascript:"]').count()).toBe(0)
  await respondent.close()

  // 4. Answer it (server form, JavaScript off) and find the answer against version 1
  await answerWithoutJavaScript(slug, '4')
  expect(await responsesOfVersion(page, surveyId, 1)).toBe(1)

  // Edit the published survey and publish again: new answers go to version 2, version 1 keeps its answer
  await page.goto(`${server.url}/app/surveys/${surveyId}/edit`)
  await page.locator('[data-question="bin_collection"] summary').click()
  await page.locator('#bin_collection-title-en').fill('How satisfied are you with how we collect your bins?')
  await page.getByRole('button', { name: 'Save wording of bin_collection' }).click()
  await expect.poll(() => page.getByTestId('notice').textContent()).toBe('Wording saved.')
  await page.goto(`${server.url}/app/surveys/${surveyId}`)
  await page.getByRole('button', { name: 'Publish the draft as version 2' }).click()
  await expect.poll(() => page.getByTestId('notice').textContent()).toContain('Published version 2')
  await answerWithoutJavaScript(slug, '2')
  expect(await responsesOfVersion(page, surveyId, 2)).toBe(1)
  expect(await responsesOfVersion(page, surveyId, 1)).toBe(1)

  // The completion text: sanitised HTML only (SurveyJS's own completed page is switched off by the runner; the
  // stored definition is what a respondent's browser would get)
  const api = await page.evaluate(async (s) => (await fetch(`/api/v1/surveys/${s}`)).text(), slug)
  expect(api).not.toMatch(/onerror|javascript:/)
  expect(dialogs).toEqual([])
  await context.close()
}, 180_000)
