import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { startTestServer } from '../support/server.ts'
import { fetchSignIn } from '../support/sign-in.ts'

/**
 * `npm start` on embedded PGlite: first start migrates and seeds; a second start on the same data seeds
 * nothing twice; SIGTERM closes the database and exits promptly with code 0 (remix-serve would not).
 */
const dir = mkdtempSync(path.join(tmpdir(), 'cse-lifecycle-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function demoCount(url: string): Promise<number> {
  const res = await fetch(`${url}/api/v1/surveys/demo`)
  expect(res.status).toBe(200)
  // The demo admin must use two-factor sign-in: set up on the first sign-in, the code afterwards.
  const cookie = await fetchSignIn(url, { email: 'admin@demo.example', password: 'demo-council-admin' })
  const page = await (await fetch(`${url}/app`, { headers: { Cookie: cookie } })).text()
  const match = /data-survey="demo".*?data-testid="response-count"[^>]*>([\d,]+)</s.exec(page)
  return Number(match![1]!.replace(/,/g, ''))
}

it('seeds once on embedded PGlite, survives a restart without reseeding, and stops promptly on SIGTERM', async () => {
  const first = await startTestServer({ pgliteDir: dir, databaseUrl: undefined, env: { DATABASE_URL: '', LOG_LEVEL: 'info' } })
  const seeded = await demoCount(first.url)
  expect(seeded).toBeGreaterThanOrEqual(1900)
  expect(first.logs()).toMatch(/"event":"db.seed","seeded":true/)

  const stopAt = Date.now()
  first.process.kill('SIGTERM')
  const code = await new Promise<number | null>((resolve) => first.process.once('exit', (c) => resolve(c)))
  expect(code).toBe(0)
  expect(Date.now() - stopAt).toBeLessThan(10_000)

  const second = await startTestServer({ pgliteDir: dir, env: { DATABASE_URL: '', LOG_LEVEL: 'info' } })
  try {
    expect(second.logs()).toMatch(/"event":"db.seed","seeded":false/)
    expect(await demoCount(second.url)).toBe(seeded)
  } finally {
    await second.stop()
  }
})
