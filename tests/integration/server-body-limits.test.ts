import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import type { Readable } from 'node:stream'
import { createReadableStreamFromReadable } from '@remix-run/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServerApp } from '../../server/app.ts'
import { BODY_LIMITS, type BodyLocals } from '../../server/body-limit.ts'
import { postUntilAnswered } from '#tests/support/big-body.ts'

/*
 * Issue 12, finding 1: a 300 MB POST to /s/demo or /login was read whole into memory. The server's real
 * middleware (server/app.ts) runs here in-process, in front of a handler that reads the body the way a Remix
 * action's `request.formData()` does (all of it, through the same stream server/remix-handler.ts gives Remix).
 * tests/browser/security-hostile-input.test.ts repeats the large cases against the built server and its memory.
 */
let server: Server
let base: string
let bytesReadByRoute = 0

beforeAll(async () => {
  const app = createServerApp({
    env: { PUBLIC_ORIGIN: undefined, TRUST_PROXY: false },
    handler: (req, res, next) => {
      const source = ((res.locals as BodyLocals).body ?? req) as Readable
      new Response(createReadableStreamFromReadable(source))
        .arrayBuffer()
        .then((body) => {
          bytesReadByRoute += body.byteLength
          if (!res.headersSent) res.status(200).type('text/plain').send(`read ${body.byteLength}`)
        })
        .catch(next)
    },
  })
  server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const MB = 1024 * 1024

describe('request body limits', () => {
  for (const path of ['/s/demo', '/login', '/invite/abc', '/api/v1/surveys/demo/responses', '/no/such/route']) {
    it(`refuses a declared 300 MB body to ${path} with 413 before reading it`, async () => {
      bytesReadByRoute = 0
      const result = await postUntilAnswered(`${base}${path}`, { declaredLength: 300 * MB, totalBytes: 300 * MB })
      expect(result.status).toBe(413)
      expect(result.bytesSent).toBeLessThan(48 * MB)
      expect(bytesReadByRoute).toBe(0)
    })

    it(`refuses a chunked body without a length to ${path} with 413 once it passes the limit`, async () => {
      bytesReadByRoute = 0
      const heapBefore = process.memoryUsage().heapUsed
      const result = await postUntilAnswered(`${base}${path}`, { totalBytes: 300 * MB })
      expect(result.status).toBe(413)
      expect(result.bytesSent).toBeLessThan(48 * MB)
      expect(bytesReadByRoute).toBeLessThanOrEqual(BODY_LIMITS.public)
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(50 * MB)
    })
  }

  it('passes bodies under the limit through whole, chunked or not', async () => {
    const declared = await postUntilAnswered(`${base}/s/demo`, { declaredLength: 100_000, totalBytes: 100_000 })
    expect(declared).toMatchObject({ status: 200, body: 'read 100000' })
    const chunked = await postUntilAnswered(`${base}/login`, { totalBytes: 100_000 })
    expect(chunked).toMatchObject({ status: 200, body: 'read 100000' })
  })

  it('gives staff uploads their own, larger limit', async () => {
    const upload = await postUntilAnswered(`${base}/app/surveys/abc/import`, { totalBytes: 5 * MB, contentType: 'text/csv' })
    expect(upload).toMatchObject({ status: 200, body: `read ${5 * MB}` })
    const tooBig = await postUntilAnswered(`${base}/app/surveys/abc/import`, { declaredLength: 60 * MB, totalBytes: 60 * MB })
    expect(tooBig.status).toBe(413)
    const builder = await postUntilAnswered(`${base}/app/surveys/abc/edit`, { totalBytes: 2 * MB })
    expect(builder.status).toBe(413)
  })

  it('answers the JSON API in JSON', async () => {
    const result = await postUntilAnswered(`${base}/api/v1/surveys/demo/responses`, { totalBytes: 1 * MB, contentType: 'application/json' })
    expect(result.status).toBe(413)
    expect(JSON.parse(result.body)).toMatchObject({ error: 'too_large' })
  })
})
