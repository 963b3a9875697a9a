import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import type { ServerBuild } from '@remix-run/node'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createServerApp } from '../../server/app.ts'
import { createRequestHandler, SUBMISSION_ROUTE_ID, submissionSlug } from '../../server/remix-handler.ts'

/*
 * server/remix-handler.ts sends a respondent's submission straight to its route's action instead of through
 * Remix's route matching (docs/benchmarks.md, "Ingest", 2026-12-03). The action must get what Remix gives it,
 * and only paths that need no decoding may take that way; everything else still goes through Remix.
 */

const calls: Array<{ method: string; url: string; params: unknown; context: unknown; body: string }> = []

// The smallest build the handler needs: the submission route's module. Any request that reaches Remix itself
// fails on this build (no entry module), which the handler turns into a 500: the tests below tell the two apart.
const build = {
  routes: {
    [SUBMISSION_ROUTE_ID]: {
      id: SUBMISSION_ROUTE_ID,
      path: 'surveys/:slug/responses',
      module: {
        action: async ({ request, params, context }: { request: Request; params: unknown; context: unknown }) => {
          const body = await request.text()
          calls.push({ method: request.method, url: request.url, params, context, body })
          if (body === 'throw a response') throw new Response('thrown', { status: 409 })
          return new Response(JSON.stringify({ ok: true }), { status: 201, headers: { 'Content-Type': 'application/json' } })
        },
      },
    },
  },
  get entry() {
    throw new Error('not a real build')
  },
} as unknown as ServerBuild

let server: Server
let base: string

beforeAll(async () => {
  const app = createServerApp({
    env: { PUBLIC_ORIGIN: undefined, TRUST_PROXY: false },
    handler: createRequestHandler({ build, getLoadContext: () => ({ cspNonce: 'n', clientKey: 'client-key' }) }),
  })
  server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

it('gives the submission action the request, its body, the slug and the load context', async () => {
  calls.length = 0
  const response = await fetch(`${base}/api/v1/surveys/demo-2026_a/responses?lang=cy`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"id":"x"}',
  })
  expect(response.status).toBe(201)
  expect(await response.json()).toEqual({ ok: true })
  expect(calls).toEqual([
    {
      method: 'POST',
      url: expect.stringMatching(/\/api\/v1\/surveys\/demo-2026_a\/responses\?lang=cy$/),
      params: { slug: 'demo-2026_a' },
      context: { cspNonce: 'n', clientKey: 'client-key' },
      body: '{"id":"x"}',
    },
  ])
})

it('answers a Response the action throws, as Remix does', async () => {
  const response = await fetch(`${base}/api/v1/surveys/demo/responses`, { method: 'POST', body: 'throw a response' })
  expect(response.status).toBe(409)
  expect(await response.text()).toBe('thrown')
})

it('leaves every other request to Remix', async () => {
  calls.length = 0
  for (const [method, path] of [
    ['GET', '/api/v1/surveys/demo/responses'],
    ['POST', '/api/v1/surveys/demo/responses/'],
    ['POST', '/api/v1/surveys/d%65mo/responses'],
    ['POST', '/API/v1/surveys/demo/responses'],
    ['POST', '/api/v1/surveys/demo/resume'],
  ] as const) {
    const response = await fetch(`${base}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) })
    expect(response.status, `${method} ${path}`).toBe(500)
  }
  expect(calls).toEqual([])
})

it('takes only slugs that need no decoding', () => {
  expect(submissionSlug('POST', '/api/v1/surveys/demo/responses')).toBe('demo')
  expect(submissionSlug('HEAD', '/api/v1/surveys/demo/responses')).toBeNull()
  expect(submissionSlug('POST', '/api/v1/surveys/de mo/responses')).toBeNull()
  expect(submissionSlug('POST', '/api/v1/surveys/de.mo/responses')).toBeNull()
  expect(submissionSlug('POST', '/api/v1/surveys//responses')).toBeNull()
  expect(submissionSlug('POST', `/api/v1/surveys/${'a'.repeat(201)}/responses`)).toBeNull()
})
