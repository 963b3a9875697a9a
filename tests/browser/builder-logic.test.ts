import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { DEMO_ADMIN } from '#db/seed.ts'
import { artifactPath, axeViolations, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { finishSignIn } from '../support/sign-in.ts'

/**
 * Issue 13, items 2 and 3 in the builder, in a real browser against the production server (needs
 * `npx remix vite:build` first): an analyst adds a local question in English only, follows the plain-English
 * "lacks Welsh" link to its Welsh fields and fills them, shows a question only when an earlier answer meets a
 * condition, makes a question required, and publishes; the published definition holds the SurveyJS visibleIf,
 * isRequired and Welsh texts. No JSON is typed anywhere. The builder passes axe with the condition form open.
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

async function signIn(page: Page) {
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email address').fill(DEMO_ADMIN.email)
  await page.getByLabel('Password').fill(DEMO_ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await finishSignIn(page, server.url, DEMO_ADMIN)
}

async function expectNoAxeViolations(page: Page) {
  const violations = await axeViolations(page)
  expect(violations, JSON.stringify(violations, null, 2)).toEqual([])
}

it('an analyst adds a condition, a required answer and Welsh without JSON, and publishes them', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } })
  const page = await context.newPage()
  await signIn(page)

  // A draft from the core template (bilingual)
  await page.goto(`${server.url}/app/surveys/new`)
  await page.getByLabel(/Core customer satisfaction/).check()
  await page.getByLabel('Add the equality monitoring questions at the end').uncheck()
  const slug = `logic-${randomUUID().slice(0, 8)}`
  await page.getByLabel('Survey title (for staff)').fill('Logic survey 2026')
  await page.getByLabel('Link name').fill(slug)
  await page.getByRole('button', { name: 'Create draft survey' }).click()
  await page.waitForURL(/\/app\/surveys\/[0-9a-f-]{36}\/edit$/)
  const surveyId = page.url().match(/surveys\/([0-9a-f-]{36})/)![1]!

  // 1. A local single-choice question, in English only
  await page.locator('#page').selectOption('your_ideas')
  await page.locator('#type-single').check()
  await page.locator('#name').fill('call_back')
  await page.locator('#titleEn').fill('Would you like us to call you back?')
  await page.locator('#choices').fill('Yes\nNo')
  await page.getByRole('button', { name: 'Add question' }).click()
  await expect.poll(() => page.getByTestId('notice').textContent()).toBe('Question added.')

  // The builder says in plain English what lacks Welsh, and links to the field
  const gap = page
    .getByTestId('publish-problems')
    .getByRole('link', { name: /Would you like us to call you back/ })
  expect(await gap.textContent()).toBe(
    'Page 3, question “Would you like us to call you back?”: the Welsh title and labels of 2 answers are missing',
  )
  expect(await page.getByTestId('publish-problems').textContent()).not.toMatch(/pages\[|elements\[/)
  const gapMessage = await gap.textContent()

  // Publishing is refused with the same list (never "The text at pages[2].elements[1].title…"), linked to the field
  await page.goto(`${server.url}/app/surveys/${surveyId}`)
  await page.getByRole('button', { name: 'Publish' }).click()
  const summary = page.getByTestId('error-summary')
  await expect.poll(() => summary.textContent()).toContain(gapMessage)
  expect(await summary.textContent()).not.toMatch(/pages\[|has no "cy" translation/)
  await expectNoAxeViolations(page)
  await summary.getByRole('link', { name: gapMessage! }).click()
  await page.waitForURL(/\?edit=call_back#call_back-title-cy$/)
  const welshTitle = page.locator('#call_back-title-cy')
  await expect.poll(() => welshTitle.isVisible()).toBe(true)
  await welshTitle.fill('Hoffech chi i ni eich ffonio’n ôl?')
  await page.locator('#call_back-choice-0-cy').fill('Hoffwn')
  await page.locator('#call_back-choice-1-cy').fill('Na hoffwn')
  await page.getByRole('button', { name: 'Save wording of call_back' }).click()
  await expect.poll(() => page.getByTestId('notice').textContent()).toBe('Wording saved.')
  // The list of what lacks Welsh is now empty
  await page.getByTestId('no-problems').waitFor()

  // 2. Show "call_back" only when overall satisfaction is at most "Fairly dissatisfied"
  const logic = page.getByTestId('logic-question-call_back')
  await logic.getByRole('link', { name: /Show this question only when/ }).click()
  await page.waitForURL(/logic=question%3Acall_back/)
  await page
    .getByLabel('Show this question only when the answer to this earlier question…')
    .selectOption('overall')
  await page.getByRole('button', { name: 'Next: choose the answers' }).click()
  await page.waitForURL(/when=overall/)
  await logic.getByLabel('is at most').check()
  await logic.getByLabel('Fairly dissatisfied').check()
  await expectNoAxeViolations(page)
  await page.screenshot({ path: artifactPath('builder-logic.png'), fullPage: false })
  await logic.getByRole('button', { name: /Save the condition/ }).click()
  await expect.poll(() => page.getByTestId('notice').textContent()).toBe('Condition saved.')
  expect(await page.getByTestId('logic-question-call_back-text').textContent()).toMatch(
    /^Shown only when “Overall, how satisfied .*” is at most “Fairly dissatisfied”\./,
  )

  // A condition that cannot work is refused with a clear message: "is" with two answers
  await page.goto(
    `${server.url}/app/surveys/${surveyId}/edit?logic=page%3Ayour_ideas&when=channel#logic-page-your_ideas`,
  )
  const pageLogic = page.getByTestId('logic-page-your_ideas')
  await pageLogic.getByLabel('is', { exact: true }).check()
  await pageLogic.getByLabel('By phone').check()
  await pageLogic.getByLabel('Online').check()
  await pageLogic.getByRole('button', { name: /Save the condition/ }).click()
  await expect
    .poll(() => page.getByTestId('error-summary').textContent())
    .toContain('needs exactly one answer')
  await expectNoAxeViolations(page)

  // 3. Overall satisfaction is required
  await page.getByRole('button', { name: 'Make required question overall' }).click()
  await expect.poll(() => page.getByTestId('required-overall').textContent()).toBe('Answer required.')

  // 4. Publish, and the published definition holds all of it
  await page.goto(`${server.url}/app/surveys/${surveyId}`)
  await page.getByRole('button', { name: 'Publish' }).click()
  await expect.poll(() => page.getByTestId('notice').textContent()).toContain('Published version 1')
  const exported = await page.evaluate(
    async (id) => (await fetch(`/app/surveys/${id}/export-json?version=published`)).json(),
    surveyId,
  )
  const questions = (
    exported.definition.pages as Array<{ elements: Array<Record<string, unknown>> }>
  ).flatMap((p) => p.elements)
  const byName = (name: string) => questions.find((q) => q.name === name)!
  expect(exported.source).toMatchObject({ kind: 'version', version: 1 })
  expect(byName('call_back').visibleIf).toBe('{overall} <= 2')
  expect(byName('call_back').title).toEqual({
    default: 'Would you like us to call you back?',
    cy: 'Hoffech chi i ni eich ffonio’n ôl?',
  })
  expect(byName('call_back').choices).toEqual([
    { value: 'yes', text: { default: 'Yes', cy: 'Hoffwn' } },
    { value: 'no', text: { default: 'No', cy: 'Na hoffwn' } },
  ])
  expect(byName('overall').isRequired).toBe(true)
  await context.close()
}, 180_000)
