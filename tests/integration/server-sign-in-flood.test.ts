import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { setPasswordHashLimits } from '#db/passwords.ts'
import { createServerApp } from '../../server/app.ts'

/*
 * Issue 12, finding 4: a sign-in flood beyond the hashing capacity must cost the server almost nothing, so the
 * public pages keep their speed. While hashing is saturated, the server answers sign-in posts 503 before the
 * app (no body read, no database, no page render); other requests go through.
 */
let server: Server
let base: string
let reachedApp: string[] = []

beforeAll(async () => {
  const app = createServerApp({
    env: { PUBLIC_ORIGIN: undefined, TRUST_PROXY: false },
    handler: (req, res) => {
      reachedApp.push(`${req.method} ${req.path}`)
      res.type('text/plain').send('app')
    },
  })
  server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => {
  setPasswordHashLimits({ concurrency: 1, maxQueue: 16 })
  return new Promise<void>((resolve) => server.close(() => resolve()))
})

const post = (path: string) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'email=a%40b.c&password=x' })

it('refuses sign-in posts with 503 before the app while hashing is saturated, and lets everything else through', async () => {
  // Saturated: no slot and no room in the queue.
  setPasswordHashLimits({ concurrency: 0, maxQueue: 0 })
  reachedApp = []
  for (const path of ['/login', '/LOGIN', '//login', '/invite/abc', '/Invite/abc', '/reset-password/tok']) {
    const res = await post(path)
    expect(res.status, path).toBe(503)
    expect(res.headers.get('Retry-After')).toBe('5')
  }
  expect(reachedApp).toEqual([])
  expect((await fetch(`${base}/login`)).status).toBe(200)
  expect((await post('/s/demo')).status).toBe(200)
  expect((await post('/api/v1/surveys/demo/responses')).status).toBe(200)
  expect(reachedApp).toEqual(['GET /login', 'POST /s/demo', 'POST /api/v1/surveys/demo/responses'])

  // Not saturated: sign-in reaches the app.
  setPasswordHashLimits({ concurrency: 1, maxQueue: 16 })
  expect((await post('/login')).status).toBe(200)
})
