import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchBrowser } from '../support/browser.ts'
import { startTestServer, type TestServer } from '../support/server.ts'
import { createTenant, prepareServerDatabase, type Tenant } from '../support/security-fixtures.ts'
import { walkRespondentForm } from '../support/respondent-walk.ts'

/*
 * Personal data in logs (PRODUCT.md §5): a unique canary goes in as an answer through every way in (the JSON
 * API, the no-JavaScript form post, the SurveyJS page), in rejected submissions, query strings, a failed
 * sign-in's e-mail and password, and a staff invitation token in the URL path. None of it may appear in the
 * server's stdout or stderr, nor in any log file it wrote. A control proves the canary really was stored.
 */
const CANARY = `canary-${randomBytes(8).toString('hex')}`
let server: TestServer
let browser: Browser
let tenant: Tenant
let dir: string
let drop: () => Promise<void> = async () => undefined
const started = Date.now()

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cse-sec-logs-'))
  const prepared = await prepareServerDatabase(path.join(dir, 'pglite'), (db) => createTenant(db, 'Logs'))
  tenant = prepared.result
  drop = prepared.drop
  // debug level: the most the server ever says.
  server = await startTestServer({ ...prepared.serverOptions, env: { SEED_DEMO: 'false', LOG_LEVEL: 'debug' } })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await drop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function logFilesWrittenSince(root: string, since: number): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (['node_modules', '.git', 'build', 'data'].includes(entry.name)) continue
      const full = path.join(d, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (/\.log$|^logs?$/i.test(entry.name) && statSync(full).mtimeMs >= since) out.push(full)
    }
  }
  walk(root)
  return out
}

it('a canary answer submitted through every path never reaches a log', async () => {
  const api = `${server.url}/api/v1/surveys/${tenant.surveySlug}/responses`
  const json = (body: unknown) => fetch(api, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })

  // 1. The JSON API: stored, replayed, conflicting, invalid, malformed.
  const id = randomUUID()
  expect((await json({ id, answers: { overall: 5, improve: `api ${CANARY}` } })).status).toBe(201)
  expect((await json({ id, answers: { overall: 5, improve: `api ${CANARY}` } })).status).toBe(200)
  expect((await json({ id, answers: { overall: 4, improve: `conflict ${CANARY}` } })).status).toBe(409)
  expect((await json({ id: randomUUID(), answers: { overall: 99, [CANARY]: CANARY, improve: CANARY.repeat(1000) } })).status).toBe(422)
  expect((await fetch(api, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"id": "${CANARY}` })).status).toBe(400)

  // 2. The no-JavaScript form post, valid and invalid, with the canary in the query string too.
  const formPost = (values: Record<string, string>) =>
    fetch(`${server.url}/s/${tenant.surveySlug}?channel=${CANARY}&q=${CANARY}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      // From the last part (core satisfaction has three), where Next sends every answer.
      body: new URLSearchParams({ page: '2', ...values }),
    })
  const stored = await formPost({ clientId: randomUUID(), overall: '5', improve: `form ${CANARY}` })
  expect(stored.status).toBe(302)
  expect((await formPost({ clientId: randomUUID(), overall: '42', improve: `bad form ${CANARY}` })).status).toBe(422)

  // 3. The respondent page in a browser.
  const context = await browser.newContext()
  const page = await context.newPage()
  await page.goto(`${server.url}/s/${tenant.surveySlug}?ref=${CANARY}`)
  await walkRespondentForm(page, { text: `web ${CANARY}` })
  await page.waitForURL(/\/thanks\?receipt=/)
  await context.close()

  // 4. A failed sign-in with the canary as e-mail and password, and an invitation token in the path.
  await fetch(`${server.url}/login?redirectTo=/${CANARY}`, {
    method: 'POST',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: `${CANARY}@example.test`, password: CANARY }),
  })
  expect((await fetch(`${server.url}/invite/${CANARY}`)).status).toBe(404)
  await fetch(`${server.url}/${CANARY}`)

  // 5. Issue 12, finding 5: URLs that React Router matches but the old redaction did not (double slashes,
  // upper case, percent-encoding), query-string tokens on them, a 413 and a POST that no route accepts.
  for (const target of [
    `//s/${tenant.surveySlug}?invitation=${CANARY}`,
    `//s/${tenant.surveySlug}?resume=${CANARY}`,
    `/s/${tenant.surveySlug}?invitation=${CANARY}`,
    `//invite/${CANARY}`,
    `/INVITE/${CANARY}`,
    `/Invite/${CANARY}?x=${CANARY}`,
    `/%69nvite/${CANARY}`,
    `///invite//${CANARY}`,
    `/s/${CANARY}`,
    `/app/${CANARY}?q=${CANARY}`,
    `/api/v1/surveys/${CANARY}`,
  ]) {
    await fetch(`${server.url}${target}`, { redirect: 'manual' })
  }
  await fetch(`${server.url}//invite/${CANARY}`, {
    method: 'POST',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ intent: 'join', password: CANARY }),
  })
  await fetch(`${server.url}/healthz?token=${CANARY}`, {
    method: 'POST',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ x: CANARY }),
  })
  await fetch(`${server.url}/login?redirectTo=${CANARY}`, {
    method: 'POST',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: `email=${CANARY}&pad=${'x'.repeat(200_000)}`,
  }).catch(() => undefined)

  // A successful staff sign-in too: its e-mail must not be logged either. (The 201, 302 and receipt above
  // show each path really stored its canary answer, so its absence from the logs means something.)
  const staff = await fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: tenant.users.admin.email, password: tenant.users.admin.password }),
  })
  expect(staff.status).toBe(302)

  await new Promise((r) => setTimeout(r, 300))
  const logs = server.logs()
  expect(logs.length).toBeGreaterThan(0)
  expect(logs).toContain('"event":"http"')
  const leaks = logs.split('\n').filter((line) => line.includes(CANARY))
  expect(leaks, 'the canary appeared in stdout/stderr').toEqual([])
  expect(logs).not.toContain(tenant.users.admin.email)
  for (const file of logFilesWrittenSince(process.cwd(), started)) {
    expect(readFileSync(file, 'utf8').includes(CANARY), file).toBe(false)
  }
  // Every log line is structured JSON (allow-listed fields). The start-up banner and a build's output come before
  // the first request; from the first request on, nothing else may be printed.
  const allLines = logs.split('\n')
  const firstRequest = allLines.findIndex((l) => l.includes('"event":"http"'))
  expect(firstRequest).toBeGreaterThanOrEqual(0)
  for (const line of allLines.slice(firstRequest).filter((l) => l.trim() !== '')) expect(() => JSON.parse(line), line).not.toThrow()
  // React Router's "No routes matched location" arrives as a reason code, never as text.
  expect(logs).not.toContain('No routes matched')
})
