import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createServerApp } from '../../server/app.ts'
import { sendResponse } from '../../server/remix-handler.ts'

/*
 * Issue 12, finding 7: the report export sent two Content-Security-Policy headers (the server's default and the
 * route's own), and browsers enforce both, so the report's inline styles were blocked. A route's own CSP must
 * replace the default; other repeated headers (Set-Cookie) must still all arrive.
 */
let server: Server
let base: string

beforeAll(async () => {
  const app = createServerApp({
    env: { PUBLIC_ORIGIN: undefined, TRUST_PROXY: false },
    handler: (req, res, next) => {
      const headers = new Headers({ 'Content-Type': 'text/html; charset=utf-8' })
      if (req.path === '/report') headers.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
      headers.append('Set-Cookie', 'a=1; Path=/')
      headers.append('Set-Cookie', 'b=2; Path=/')
      sendResponse(res, new Response('<p>ok</p>', { headers })).catch(next)
    },
  })
  server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

function rawHeaders(url: string): Promise<Array<[string, string]>> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const pairs: Array<[string, string]> = []
        for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!.toLowerCase(), res.rawHeaders[i + 1]!])
        res.resume()
        res.on('end', () => resolve(pairs))
      })
      .on('error', reject)
  })
}

it("sends exactly one CSP header, the route's own, when a route sets one", async () => {
  const headers = await rawHeaders(`${base}/report`)
  const csp = headers.filter(([name]) => name === 'content-security-policy')
  expect(csp).toEqual([['content-security-policy', "default-src 'none'; style-src 'unsafe-inline'"]])
  expect(headers.filter(([name]) => name === 'set-cookie').map(([, v]) => v)).toEqual(['a=1; Path=/', 'b=2; Path=/'])
})

it('sends exactly one CSP header, the default with a nonce, on other responses', async () => {
  const headers = await rawHeaders(`${base}/page`)
  const csp = headers.filter(([name]) => name === 'content-security-policy')
  expect(csp).toHaveLength(1)
  expect(csp[0]![1]).toMatch(/script-src 'self' 'nonce-/)
})

/** A raw request with any method (fetch refuses TRACE), answering status, headers and body. */
function rawRequest(method: string, url: string, headers: Record<string, string> = {}): Promise<{ status: number; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body }))
    })
    request.on('error', reject)
    request.end()
  })
}

// ASVS 13.4.4 (docs/security.md): TRACE would echo the request, cookies included, to a script that can send it.
it('refuses TRACE and every method but GET, HEAD and POST with 405, echoing nothing', async () => {
  for (const method of ['TRACE', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    const answer = await rawRequest(method, `${base}/page`, { Cookie: '__Host-cse_session=canary-cookie-value', 'X-Canary': 'canary-header-value' })
    expect(answer.status, method).toBe(405)
    expect(answer.allow, method).toBe('GET, HEAD, POST')
    expect(answer.body, method).not.toMatch(/canary/)
  }
  // TRACK is no HTTP method to Node's parser: refused with 400 before the app, echoing nothing either.
  const track = await rawRequest('TRACK', `${base}/page`, { 'X-Canary': 'canary-header-value' })
  expect(track.status).toBe(400)
  expect(track.body).not.toMatch(/canary/)
  for (const method of ['GET', 'HEAD', 'POST']) expect((await rawRequest(method, `${base}/page`)).status, method).toBe(200)
})
