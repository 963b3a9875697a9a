import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchBrowser } from '../support/browser.ts'
import { postUntilAnswered } from '../support/big-body.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { createTenant, prepareServerDatabase, type Tenant } from '../support/security-fixtures.ts'

/*
 * Issue 12, findings 1, 2, 4 and 7 against the built production server (server/start.ts):
 * - a 300 MB body, declared or chunked, to a survey page or /login gets an early 413 and memory stays flat;
 * - after sign-in, chromium stays on this site whatever `redirectTo` says;
 * - one client spraying 30 accounts is refused;
 * - the report export sends one Content-Security-Policy header, and its own styles apply.
 */
let server: TestServer
let browser: Browser
let tenant: Tenant
let dir: string
let drop: () => Promise<void> = async () => undefined

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cse-hostile-'))
  const prepared = await prepareServerDatabase(path.join(dir, 'pglite'), (db) => createTenant(db, 'Hostile'))
  tenant = prepared.result
  drop = prepared.drop
  server = await startTestServer({ ...prepared.serverOptions, env: { SEED_DEMO: 'false', LOG_LEVEL: 'warn' } })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await drop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** The server process's resident memory, from /proc. */
function rssBytes(): number {
  const status = readFileSync(`/proc/${server.process.pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024
}

const MB = 1024 * 1024

describe('request bodies (finding 1)', () => {
  it('answers 413 early to 300 MB bodies, declared or chunked, on a survey page and /login, and memory stays flat', async () => {
    // Warm up the routes first, so their first-use allocations are not counted.
    await fetch(`${server.url}/s/${tenant.surveySlug}`)
    await fetch(`${server.url}/login`)
    const before = rssBytes()
    for (const target of [`/s/${tenant.surveySlug}`, '/login']) {
      const declared = await postUntilAnswered(`${server.url}${target}`, { declaredLength: 300 * MB, totalBytes: 300 * MB })
      expect(declared.status, `${target} with Content-Length`).toBe(413)
      expect(declared.bytesSent).toBeLessThan(48 * MB)
      const chunked = await postUntilAnswered(`${server.url}${target}`, { totalBytes: 300 * MB })
      expect(chunked.status, `${target} chunked`).toBe(413)
      expect(chunked.bytesSent).toBeLessThan(48 * MB)
    }
    expect(rssBytes() - before).toBeLessThan(100 * MB)
    // The server is still serving.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  })
})

describe('sign-in redirects (finding 2)', () => {
  const hostile = ['%2F%09%2Fevil.example', '%2F%5Cevil.example', '%2F%0A%2Fevil.example', '%2F.%2F%2Fevil.example', '%5C%5Cevil.example', '%2F%2Fevil.example']
  for (const redirectTo of hostile) {
    it(`stays on this site after signing in with redirectTo=${redirectTo}`, async () => {
      const context = await browser.newContext()
      const offSite: string[] = []
      await context.route('**/*', (route) => {
        const url = new URL(route.request().url())
        if (url.origin !== server.url) {
          offSite.push(url.href)
          return route.abort()
        }
        return route.continue()
      })
      const page = await context.newPage()
      await page.goto(`${server.url}/login?redirectTo=${redirectTo}`)
      // The form posts what the query said, as an attacker's link would make it.
      await page.evaluate((value) => {
        const input = document.querySelector<HTMLInputElement>('input[name="redirectTo"]')!
        input.value = value
      }, decodeURIComponent(redirectTo))
      await page.fill('#email', tenant.users.viewer.email)
      await page.fill('#password', tenant.users.viewer.password)
      await Promise.all([page.waitForURL((url) => url.pathname.startsWith('/app'), { timeout: 30_000 }).catch(() => undefined), page.click('button[type="submit"]')])
      await page.waitForLoadState('load')
      expect(offSite).toEqual([])
      expect(new URL(page.url()).origin).toBe(server.url)
      await context.close()
    })
  }
})

describe('report export headers (finding 7)', () => {
  it('sends one Content-Security-Policy header on the report, and its own styles apply in chromium', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    // (This runs before the spray test below, which spends this client's sign-in budget.)
    const login = await fetch(`${server.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: tenant.users.analyst.email, password: tenant.users.analyst.password }),
    })
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? ''
    expect(cookie).toMatch(/^__Host-cse_session=/)
    const raw = await new Promise<{ csp: string[]; body: string }>((resolve, reject) => {
      const body = new URLSearchParams({ kind: 'report' }).toString()
      const req = http.request(
        {
          host: 'localhost',
          port: server.port,
          path: `/app/surveys/${tenant.surveyId}/exports/download`,
          method: 'POST',
          headers: { Origin: server.url, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          const csp: string[] = []
          for (let i = 0; i < res.rawHeaders.length; i += 2) if (res.rawHeaders[i]!.toLowerCase() === 'content-security-policy') csp.push(res.rawHeaders[i + 1]!)
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (d: string) => (text += d))
          res.on('end', () => resolve({ csp, body: text }))
        },
      )
      req.on('error', reject)
      req.end(body)
    })
    expect(raw.csp).toHaveLength(1)
    expect(raw.body.slice(0, 300)).toMatch(/<html/i)
    expect(raw.csp[0]).toContain("style-src 'unsafe-inline'")
    // Serve the same document with the same single header to chromium: no style is blocked.
    const violations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text())
    })
    await page.route(`${server.url}/report-under-test`, (route) =>
      route.fulfill({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': raw.csp[0]! }, body: raw.body }),
    )
    await page.goto(`${server.url}/report-under-test`)
    expect(violations).toEqual([])
    await context.close()
  })
})

describe('sign-in floods (finding 4)', () => {
  it('refuses one client spraying 30 accounts', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 30; i++) {
      const res = await fetch(`${server.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: `sprayed-${i}@example.test`, password: 'Spring2026!' }),
      })
      statuses.push(res.status)
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10)
    expect(statuses.slice(-5)).toEqual([429, 429, 429, 429, 429])
  })
})
