import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import routes from '#app/routes.ts'
import { storeResponse } from '#db/queries/responses.ts'
import { launchBrowser, settle } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { createTenant, prepareServerDatabase, type Tenant } from '../support/security-fixtures.ts'
import { walkRespondentForm } from '../support/respondent-walk.ts'
import { finishSignIn } from '../support/sign-in.ts'

/*
 * Stored XSS (PRODUCT.md §5): a payload corpus planted in every authored field of a published survey (survey
 * title and description, page and question titles and descriptions, choice labels, completion HTML, an html
 * question) and in answers, comments and segment values. Every respondent view (with and without JavaScript)
 * and every staff view of the survey is opened twice: with the real CSP, where no CSP violation may be
 * reported (a violation means markup got through and only the CSP stopped it), and with the CSP bypassed,
 * where the payload must still never run (sanitising and escaping, not only the CSP, must hold). The page
 * must never set window.__xss, open a dialog, or contain event-handler attributes, javascript: URLs, frames
 * or scripts without the response's nonce.
 */
const CORPUS = [
  '<img src=x onerror="window.__xss=1;alert(1)">',
  '<script>window.__xss=1</script>',
  '"><svg onload="window.__xss=1">',
  "'><svg/onload=window.__xss=1>",
  '<a href="javascript:window.__xss=1">click me</a>',
  '<iframe src="javascript:window.__xss=1"></iframe>',
  '<details open ontoggle="window.__xss=1">x</details>',
  '<math><mi xlink:href="javascript:window.__xss=1">m</mi></math>',
  '<style>body{background:red}</style>',
  '{{constructor.constructor("window.__xss=1")()}}',
  '<body onload="window.__xss=1">',
  '<input autofocus onfocus="window.__xss=1">',
]
const PAYLOAD = CORPUS.join(' ')

let server: TestServer
let browser: Browser
let tenant: Tenant
let dir: string
let drop: () => Promise<void> = async () => undefined

function plant(definition: Record<string, unknown>): void {
  definition.title = `Survey ${PAYLOAD}`
  definition.description = PAYLOAD
  definition.completedHtml = `<p>Thanks ${PAYLOAD}</p>`
  const pages = definition.pages as Array<Record<string, unknown>>
  for (const page of pages) {
    page.title = `Page ${PAYLOAD}`
    page.description = PAYLOAD
    const walk = (elements: Array<Record<string, unknown>>) => {
      for (const element of elements) {
        if (Array.isArray(element.elements)) walk(element.elements as Array<Record<string, unknown>>)
        element.title = `Q ${PAYLOAD}`
        element.description = PAYLOAD
        if (Array.isArray(element.choices)) {
          element.choices = (element.choices as unknown[]).map((choice) =>
            choice && typeof choice === 'object' ? { ...(choice as object), text: `Choice ${PAYLOAD}` } : { value: choice, text: `Choice ${PAYLOAD}` },
          )
        }
      }
    }
    walk((page.elements as Array<Record<string, unknown>>) ?? [])
  }
  ;(pages[0]!.elements as Array<Record<string, unknown>>).push({ type: 'html', name: 'xss_html', html: PAYLOAD })
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cse-xss-'))
  const prepared = await prepareServerDatabase(path.join(dir, 'pglite'), async (db) => {
    const t = await createTenant(db, 'Xss', { title: `Title ${PAYLOAD}`, comment: `Comment ${PAYLOAD}`, editDefinition: plant })
    for (let i = 0; i < 3; i++) {
      await storeResponse(db, {
        organisationId: t.organisationId,
        surveyId: t.surveyId,
        surveyVersionId: t.versionId,
        clientId: randomUUID(),
        wave: '2026',
        answers: { overall: 5, improve: `Answer ${i} ${PAYLOAD}`, your_contact: PAYLOAD },
        segments: { channel: PAYLOAD },
        source: 'api',
      })
    }
    return t
  })
  tenant = prepared.result
  drop = prepared.drop
  server = await startTestServer({ ...prepared.serverOptions, env: { SEED_DEMO: 'false' } })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await drop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

interface Watch {
  dialogs: string[]
  violations: () => Promise<string[]>
}

async function watch(page: Page): Promise<Watch> {
  const dialogs: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  return {
    dialogs,
    violations: () => page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []),
  }
}

async function newContext(options: { bypassCSP: boolean; javaScriptEnabled?: boolean }): Promise<BrowserContext> {
  const context = await browser.newContext({ bypassCSP: options.bypassCSP, javaScriptEnabled: options.javaScriptEnabled ?? true })
  await context.addInitScript(() => {
    const list: string[] = []
    ;(window as unknown as { __cspViolations: string[] }).__cspViolations = list
    document.addEventListener('securitypolicyviolation', (e) => list.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`))
  })
  return context
}

/** Markup that can run code: handlers, javascript: URLs, frames, and scripts without this response's nonce. */
async function dangerousMarkup(page: Page, nonce: string | null): Promise<string[]> {
  return page.evaluate((expected) => {
    const found: string[] = []
    for (const el of Array.from(document.querySelectorAll('*'))) {
      for (const attr of Array.from(el.attributes)) {
        if (/^on/i.test(attr.name)) found.push(`${el.tagName} ${attr.name}`)
        if (/^\s*javascript:/i.test(attr.value) && /href|src|action|formaction|xlink:href/i.test(attr.name)) found.push(`${el.tagName} ${attr.name}=${attr.value}`)
      }
      if (/^(IFRAME|OBJECT|EMBED|FRAME)$/.test(el.tagName)) found.push(el.tagName)
      if (el.tagName === 'SCRIPT' && expected !== null && (el as HTMLScriptElement).nonce !== expected && !(el as HTMLScriptElement).src) found.push('SCRIPT without nonce')
      if (el.tagName === 'STYLE' && expected !== null && (el as HTMLStyleElement).nonce !== expected) found.push('STYLE without nonce')
    }
    return found
  }, nonce)
}

async function visit(context: BrowserContext, url: string, act?: (page: Page) => Promise<void>) {
  const page = await context.newPage()
  const watcher = await watch(page)
  // The nonce of the document now shown (a walk through the survey ends on another page with its own).
  let nonce: string | null = null
  page.on('response', (res) => {
    if (res.request().isNavigationRequest() && res.frame() === page.mainFrame()) {
      nonce = res.headers()['content-security-policy']?.match(/'nonce-([^']+)'/)?.[1] ?? null
    }
  })
  let response
  try {
    response = await page.goto(url)
  } catch (error) {
    await page.close()
    if (String(error).includes('Download is starting')) return null
    throw error
  }
  // Every request of the page done (an <img src=x> payload's onerror would have fired by then).
  await settle(page)
  if (act) await act(page)
  await page.waitForTimeout(300)
  const result = {
    status: response?.status() ?? 0,
    xss: await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss ?? null),
    dialogs: watcher.dialogs,
    violations: await watcher.violations(),
    dangerous: await dangerousMarkup(page, nonce),
    text: await page.evaluate(() => document.body.innerText),
  }
  await page.close()
  return result
}

async function signIn(context: BrowserContext) {
  const page = await context.newPage()
  await page.goto(`${server.url}/login`)
  await page.getByLabel('Email address').fill(tenant.users.admin.email)
  await page.getByLabel('Password').fill(tenant.users.admin.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  // Admins sign in with two factors (tests/support/sign-in.ts).
  await finishSignIn(page, server.url, tenant.users.admin)
  await page.close()
}

/** Walk the respondent form to its end, answering choice questions with their first option. */
async function walkSurvey(page: Page) {
  await walkRespondentForm(page)
  await page.waitForURL(/\/thanks\?receipt=/, { timeout: 15_000 })
  await settle(page)
}

interface ConfigEntry {
  path?: string
  file: string
  children?: ConfigEntry[]
}
/** Every staff page of one survey in app/routes.ts (HTML routes only), so new staff views are covered too. */
function staffPages(): string[] {
  const out: string[] = ['/app']
  const walk = (entries: ConfigEntry[], parent: string) => {
    for (const e of entries) {
      const full = e.path ? `${parent.replace(/\/$/, '')}/${e.path}` : parent
      if (full.startsWith('/app/') && e.file.endsWith('.tsx') && /^\/app\/surveys\/:surveyId(\/[a-z-]+)*$/.test(full)) out.push(full.replace(':surveyId', tenant.surveyId))
      if (e.children) walk(e.children, full)
    }
  }
  walk(routes as unknown as ConfigEntry[], '')
  return out
}

function expectClean(where: string, result: NonNullable<Awaited<ReturnType<typeof visit>>>, withCsp: boolean) {
  expect(result.xss, `${where}: window.__xss was set`).toBeNull()
  expect(result.dialogs, `${where}: a dialog opened`).toEqual([])
  expect(result.dangerous, `${where}: executable markup in the DOM`).toEqual([])
  if (withCsp) expect(result.violations, `${where}: CSP had to block something`).toEqual([])
}

for (const withCsp of [true, false]) {
  describe(withCsp ? 'with the real CSP (no violation may be reported)' : 'with the CSP bypassed (sanitising alone must hold)', () => {
    it('the respondent page with JavaScript, walked to the thanks page, never runs a payload', async () => {
      const context = await newContext({ bypassCSP: !withCsp })
      const result = (await visit(context, `${server.url}/s/${tenant.surveySlug}`, walkSurvey))!
      expect(result.status).toBe(200)
      expectClean('respondent page (JS)', result, withCsp)
      expect(result.text).toMatch(/receipt|Thank/i)
      await context.close()
    })

    it('the respondent page without JavaScript shows the payloads as inert text', async () => {
      const context = await newContext({ bypassCSP: !withCsp })
      const page = await context.newPage()
      const response = await page.goto(`${server.url}/s/${tenant.surveySlug}`)
      const html = await response!.text()
      await page.close()
      // Load the server's markup with scripting ON but with none of the app's own scripts: anything that runs
      // now came from the payloads.
      const bare = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, (tag) => (/nonce="[^"]+"/.test(tag) ? '' : tag))
      const probe = await context.newPage()
      const watcher = await watch(probe)
      await probe.setContent(bare, { waitUntil: 'load' })
      await probe.waitForTimeout(300)
      expect(await probe.evaluate(() => (window as unknown as { __xss?: unknown }).__xss ?? null)).toBeNull()
      expect(watcher.dialogs).toEqual([])
      expect(await dangerousMarkup(probe, null)).toEqual([])
      await probe.close()
      await context.close()
      const noJs = await newContext({ bypassCSP: !withCsp, javaScriptEnabled: false })
      const plain = await noJs.newPage()
      await plain.goto(`${server.url}/s/${tenant.surveySlug}`)
      expect(await plain.locator('form').count()).toBeGreaterThan(0)
      await noJs.close()
    })

    it('every staff view of the survey shows titles, answers and comments without running them', async () => {
      const context = await newContext({ bypassCSP: !withCsp })
      await signIn(context)
      const visited: string[] = []
      for (const path of staffPages()) {
        const result = await visit(context, `${server.url}${path}`)
        if (!result || result.status >= 400) continue
        visited.push(path)
        expectClean(`staff ${path}`, result, withCsp)
      }
      expect(visited).toContain('/app')
      expect(visited.length).toBeGreaterThan(1)
      await context.close()
    })
  })
}
