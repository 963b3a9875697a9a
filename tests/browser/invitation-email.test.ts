import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { DEMO_ADMIN } from '#db/seed.ts'
import { artifactPath, axeViolations, launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { signInThroughForm } from '../support/sign-in.ts'
import { startTestSmtp, type TestSmtp } from '../support/smtp.ts'

/**
 * E-mail invitations as staff meet them (issue 13 item 5), against the built server with its job queue and a
 * real SMTP server in-process: a bad line is reported and nothing is sent; a clean list goes out in Welsh; the
 * batch's progress appears on the page; the invitee's opt-out page works. Every page passes axe.
 */
let server: TestServer
let browser: Browser
let smtp: TestSmtp

beforeAll(async () => {
  smtp = await startTestSmtp()
  server = await startTestServer({ env: { LOG_LEVEL: 'warn', ...smtp.env } })
  browser = await launchBrowser()
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await smtp?.close()
})

it('staff send a batch in Welsh, see its progress, and the invitee can opt out', async () => {
  const context = await browser.newContext()
  const page = await context.newPage()
  await signInThroughForm(page, server.url, DEMO_ADMIN)
  const href = await page.locator('tr[data-survey="demo"] a[href^="/app/surveys/"]').first().getAttribute('href')
  const surveyPath = /\/app\/surveys\/[0-9a-f-]{36}/.exec(href ?? '')![0]
  await page.goto(`${server.url}${surveyPath}/invitations`)
  await page.getByRole('link', { name: 'Send invitations by e-mail instead' }).click()
  await page.getByRole('heading', { name: /^E-mail invitations for/ }).waitFor()
  expect(await axeViolations(page)).toEqual([])

  // A bad line: nothing is sent, the problem is named, and the list is still there to fix.
  await page.getByLabel('E-mail addresses').fill('gwen@example.test\nnot an address')
  await page.getByRole('button', { name: 'Send invitations' }).click()
  await page.getByTestId('email-problems').waitFor()
  expect(await page.getByTestId('email-problems').innerText()).toContain('Line 2: “not an address” is not an e-mail address.')
  expect(await page.getByLabel('E-mail addresses').inputValue()).toContain('gwen@example.test')
  expect(await axeViolations(page)).toEqual([])
  expect(smtp.messages).toHaveLength(0)

  await page.getByLabel('E-mail addresses').fill('gwen@example.test\nhuw@example.test\nGWEN@example.test')
  await page.getByLabel('Welsh (Cymraeg)').check()
  await page.getByLabel('Batch name (optional)').fill('Browser batch')
  await page.getByRole('button', { name: 'Send invitations' }).click()
  await page.getByTestId('email-sent').waitFor()
  expect(await page.getByTestId('email-sent').innerText()).toContain('2 invitations are on their way')
  expect(await page.getByTestId('email-sent').innerText()).toContain('1 repeated address was left out')
  // The form is empty again, so the same list is not sent twice by mistake.
  expect(await page.getByLabel('E-mail addresses').inputValue()).toBe('')

  // The page refreshes its progress while messages wait in the queue.
  await page.locator('[data-testid="mailings"] [data-testid="sent"]', { hasText: '2' }).waitFor({ timeout: 30_000 })
  expect(await page.locator('[data-testid="mailings"] [data-testid="rate"]').first().innerText()).toBe('0.0% (0 of 2)')
  expect(await axeViolations(page)).toEqual([])
  await page.screenshot({ path: artifactPath('invitation-email.png'), fullPage: true })

  const mail = await smtp.waitFor('gwen@example.test')
  expect(mail.text).toContain('Helo,')
  const optOut = /https?:\/\/\S+\/opt-out\?invitation=[A-Za-z0-9_-]+&lang=cy/.exec(mail.text)?.[0]
  expect(optOut).toBeDefined()

  const invitee = await browser.newContext()
  const optOutPage = await invitee.newPage()
  await optOutPage.goto(optOut!)
  await optOutPage.getByRole('heading', { name: 'Atal negeseuon atgoffa am yr arolwg hwn' }).waitFor()
  expect(await axeViolations(optOutPage)).toEqual([])
  await optOutPage.getByRole('button', { name: 'Atal negeseuon atgoffa' }).click()
  await optOutPage.getByTestId('opt-out-done').waitFor()
  expect(await axeViolations(optOutPage)).toEqual([])
  await invitee.close()

  // Only Huw is left to remind.
  await page.reload()
  await page.getByRole('button', { name: /Remind 1 who has not answered/ }).waitFor()
  await context.close()
}, 180_000)
