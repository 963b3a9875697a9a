import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { DEMO_ADMIN } from '#db/seed.ts'
import { artifactPath, axeViolations, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { finishSignIn } from '../support/sign-in.ts'

/**
 * The rest of issue 7 in a real browser on the production server: the demo analyst reads and searches the
 * comments, adds a population profile (the shared schema catches a wrong sum before sending; an uploaded CSV
 * with a bad row gets row-level errors), and sets a target that the dashboard then judges. Needs
 * `npx remix vite:build` first. Saves artifacts/comments.png, population.png and targets.png.
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
  // Admins sign in with two factors (tests/support/sign-in.ts).
  await finishSignIn(page, server.url, DEMO_ADMIN)
  // The survey list may not have rendered when the URL changes: wait for a survey's own link.
  let href: string | undefined
  await expect
    .poll(async () => {
      href = await page.locator('a[href^="/app/surveys/"]').evaluateAll((links) =>
        links.map((a) => a.getAttribute('href')!).find((h) => /^\/app\/surveys\/[0-9a-f-]{36}/.test(h)),
      )
      return href !== undefined
    })
    .toBe(true)
  return href!.match(/[0-9a-f-]{36}/)![0]
}

async function expectAccessible(page: Page) {
  const violations = await axeViolations(page)
  expect(violations.filter((v) => v.impact === 'critical' || v.impact === 'serious')).toEqual([])
}

const PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script> xss-probe'

it('an analyst reads and searches the demo comments from the dashboard; a comment is only ever text', async () => {
  // a respondent in large groups writes markup into the free-text box, through the public API
  const submitted = await fetch(`${server.url}/api/v1/surveys/demo/responses`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      id: crypto.randomUUID(),
      answers: { overall: 4, service: 'waste_recycling', age_band: '35-44', sex: 'female', long_term_condition: 'no', improve: PAYLOAD },
      segments: { channel: 'online' },
    }),
  })
  expect(submitted.status).toBe(201)
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
  const page = await context.newPage()
  const surveyId = await signIn(page)
  await page.goto(`${server.url}/app/surveys/${surveyId}/dashboard`)
  await page.getByRole('link', { name: 'Read the comments' }).click()
  await page.waitForURL(/\/comments$/)
  expect(await page.getByTestId('comments-count').innerText()).toMatch(/^Showing 1–50 of [\d,]+ comments\.$/)
  expect(await page.getByTestId('comments-list').locator('li').count()).toBe(50)

  await page.getByLabel('Search the comments').fill('PHONE')
  await page.getByRole('button', { name: 'Show comments' }).click()
  await page.waitForURL(/q=PHONE/)
  // the URL changes before React commits the new loader data, so wait for the list itself to change
  const comments = page.getByTestId('comments-list').locator('blockquote')
  await expect
    .poll(async () => {
      const texts = await comments.allInnerTexts()
      return texts.length > 0 && texts.every((text) => text.toLowerCase().includes('phone'))
    })
    .toBe(true)

  // the planted markup shows as the characters typed and never runs
  await page.getByLabel('Search the comments').fill('xss-probe')
  await page.getByRole('button', { name: 'Show comments' }).click()
  await page.waitForURL(/q=xss-probe/)
  await expect.poll(() => comments.allInnerTexts()).toEqual([PAYLOAD])
  expect(await page.getByTestId('comments-list').locator('img, script').count()).toBe(0)
  expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss ?? null)).toBeNull()

  // a group filter
  await page.locator('select[name="seg.service"]').selectOption('libraries')
  await page.getByRole('button', { name: 'Show comments' }).click()
  await page.waitForURL(/seg\.service=libraries/)
  await page.getByTestId('comments-count').waitFor()
  await page.screenshot({ path: artifactPath('comments.png'), fullPage: true })
  await expectAccessible(page)
  await context.close()
})

it('an analyst adds a population profile: a wrong sum is caught in the page, a bad CSV row is reported by number', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
  const page = await context.newPage()
  await signIn(page)
  await page.getByRole('navigation', { name: 'Staff' }).getByRole('link', { name: 'Settings' }).click()
  await page.waitForURL(/\/app\/settings\/population$/)
  await page.getByRole('heading', { name: 'Population profiles' }).waitFor()
  expect(await page.getByTestId('profiles').locator('tbody tr').count()).toBe(1)

  await page.getByLabel('Name').fill('Residents by sex')
  await page.getByLabel('Population total').fill('1000')
  await page.getByLabel('Margins').fill('variable,level,count\nsex,female,600\nsex,male,300\n')
  await page.getByRole('button', { name: 'Add profile' }).click()
  // checked by the shared schema in the page: no request, the error summary names the problem
  await page.getByTestId('error-summary').waitFor()
  expect(await page.getByTestId('error-summary').innerText()).toContain('sex: the levels add up to 900, not the total of 1,000')
  expect(page.url()).toMatch(/\/app\/settings\/population$/)

  await page.getByLabel('Margins').fill('variable,level,count\nsex,female,600\nsex,male,400\n')
  await page.getByRole('button', { name: 'Add profile' }).click()
  await page.getByTestId('saved').waitFor()
  expect(await page.getByTestId('saved').innerText()).toContain('“Residents by sex” is created')
  // the action's answer can show a moment before the revalidated list
  await expect.poll(() => page.getByTestId('profiles').locator('tbody tr').count()).toBe(2)

  await page.getByLabel('Name').fill('Uploaded')
  await page.getByLabel('Or upload a CSV file').setInputFiles({
    name: 'margins.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('variable,level,count\nsex,female,600\nsex,male,lots\n'),
  })
  await page.getByRole('button', { name: 'Add profile' }).click()
  await page.getByTestId('margin-errors').waitFor()
  expect(await page.getByTestId('margin-errors').innerText()).toContain('Row 3: the count "lots" is not a whole number')
  await page.screenshot({ path: artifactPath('population.png'), fullPage: true })
  await expectAccessible(page)
  await context.close()
})

it('an analyst sets a target from the dashboard and the dashboard judges it', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
  const page = await context.newPage()
  const surveyId = await signIn(page)
  await page.goto(`${server.url}/app/surveys/${surveyId}/dashboard`)
  await page.getByRole('link', { name: 'Targets' }).click()
  await page.waitForURL(/\/app\/settings\/targets\?survey=/)
  await page.getByLabel('Overall satisfaction').fill('5')
  await page.getByLabel('Timeliness').fill('150')
  await page.getByRole('button', { name: 'Save targets' }).click()
  await page.getByTestId('error-summary').waitFor()
  expect(await page.getByTestId('error-summary').innerText()).toContain('Enter a percentage from 0 to 100')
  await page.getByLabel('Timeliness').fill('99')
  await page.getByRole('button', { name: 'Save targets' }).click()
  await page.getByTestId('saved').waitFor()
  await expect.poll(() => page.getByLabel('Overall satisfaction').inputValue()).toBe('5')
  await page.screenshot({ path: artifactPath('targets.png'), fullPage: true })
  await expectAccessible(page)

  await page.goto(`${server.url}/app/surveys/${surveyId}/dashboard`)
  const statuses = await page.getByTestId('target-status').allInnerTexts()
  expect(statuses).toContainEqual(expect.stringMatching(/^Target 5%: met/))
  expect(statuses).toContainEqual(expect.stringMatching(/^Target 99%: below target/))
  await context.close()
})
