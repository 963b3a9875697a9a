import type { Page } from 'playwright-core'

/** The respondent page's scripts have run (app/components/respondent-enhance.ts marks posts 'web'). */
export function respondentEnhanced(page: Page, timeout = 60_000) {
  return page.waitForFunction(
    () => (document.querySelector('input[name=via]') as HTMLInputElement | null)?.value === 'web',
    undefined,
    { timeout },
  )
}

/**
 * Walk the respondent form (app/components/respondent-form.tsx) part by part to the thank-you page: the first
 * choice of every visible radio group, `text` in every visible text box, then Next (Send on the last part).
 * Works with and without JavaScript. Returns the names of the radio groups answered.
 */
export async function walkRespondentForm(page: Page, options: { text?: string } = {}): Promise<Set<string>> {
  const names = new Set<string>()
  for (let part = 0; part < 12 && !page.url().includes('/thanks'); part++) {
    for (const fieldset of await page.locator('form fieldset:visible').all()) {
      const radio = fieldset.locator('input[type=radio]').first()
      if ((await radio.count()) === 0) continue
      names.add((await radio.getAttribute('name'))!)
      await radio.check()
    }
    if (options.text !== undefined)
      for (const box of await page.locator('form textarea:visible, form input[type=text]:not([name=website]):visible').all()) await box.fill(options.text)
    const before = await page.locator('#page-heading').textContent()
    await page.locator('button[name=intent][value=next]').click()
    await nextPartOrThanks(page, before)
    if (await page.locator('.error-summary').count() && !page.url().includes('/thanks'))
      throw new Error(`the form refused the answers: ${await page.locator('.error-summary').textContent()}`)
  }
  await page.waitForURL(/\/thanks/)
  return names
}

/**
 * Wait until the page shows another part, an error summary or the thank-you page. Polls through locators (they
 * work when the page's JavaScript is disabled, where waitForFunction cannot run).
 */
async function nextPartOrThanks(page: Page, before: string | null) {
  for (let i = 0; i < 600; i++) {
    if (page.url().includes('/thanks')) return
    const now = await page.locator('#page-heading').textContent({ timeout: 1_000 }).catch(() => null)
    if ((now !== null && now !== before) || (await page.locator('.error-summary').count()) > 0) return
    await page.waitForTimeout(100)
  }
  throw new Error('the form did not move on')
}
