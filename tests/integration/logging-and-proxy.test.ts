import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parseTrustProxy } from '#app/env.server.ts'
import { redactPath, routeConsoleThroughLogger } from '#app/utils/logger.server.ts'
import { createServerApp } from '../../server/app.ts'

/*
 * Issue 12, finding 5: `/INVITE/<token>`, `//invite/<token>` are served by the invitation route (React Router
 * matches case-insensitively and after collapsing nothing), and React Router's "No routes matched location" line
 * printed full URLs, query strings included, outside the structured logger. Also TRUST_PROXY (finding 4).
 */
const TOKEN = 'Tok3n-SECRET_value-0123456789abcdefghijklmnop'

describe('redactPath', () => {
  it.each([
    [`/invite/${TOKEN}`, '/invite/:token'],
    [`/INVITE/${TOKEN}`, '/INVITE/:token'],
    [`/Invite/${TOKEN}/extra?x=${TOKEN}`, '/Invite/:token/extra'],
    [`//invite/${TOKEN}`, '/invite/:token'],
    [`///invite///${TOKEN}`, '/invite/:token'],
    [`/%69nvite/${TOKEN}`, '/%69nvite/:token'],
    [`/%49NVITE/${TOKEN}#frag`, '/%49NVITE/:token'],
    [`/s/demo?invitation=${TOKEN}`, '/s/demo'],
    [`//s/demo?invitation=${TOKEN}`, '/s/demo'],
    [`/s/demo#${TOKEN}`, '/s/demo'],
  ])('%s is logged as %s', (path, expected) => {
    expect(redactPath(path)).toBe(expected)
    expect(redactPath(path)).not.toContain(TOKEN)
  })
})

describe('console lines from libraries', () => {
  let out = ''
  const saved = { ...console }
  beforeEach(() => {
    vi.stubEnv('LOG_LEVEL', 'debug')
    out = ''
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true))
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((out += String(chunk)), true))
  })
  afterEach(() => {
    Object.assign(console, saved)
    vi.restoreAllMocks()
    vi.unstubAllEnvs()
  })

  it('go through the structured logger as a reason, never as text', () => {
    routeConsoleThroughLogger()
    console.warn(`No routes matched location "//s/demo?invitation=${TOKEN}" `)
    console.error(Object.assign(new Error(`duplicate key (email)=(someone@example.test) ${TOKEN}`), { code: '23505' }))
    console.log('anything at all', { token: TOKEN })
    const lines = out.trim().split('\n')
    expect(lines).toHaveLength(3)
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(entries[0]).toMatchObject({ level: 'warn', event: 'console', reason: 'no_route_matched' })
    expect(entries[1]).toMatchObject({ level: 'error', event: 'console', reason: 'error', errorName: 'Error', errorCode: '23505' })
    expect(entries[2]).toMatchObject({ level: 'info', event: 'console', reason: 'unclassified' })
    expect(out).not.toContain(TOKEN)
    expect(out).not.toContain('someone@example.test')
  })
})

describe('TRUST_PROXY', () => {
  it('parses false, hop counts and address lists, and refuses anything else', () => {
    expect(parseTrustProxy('false')).toBe(false)
    expect(parseTrustProxy('')).toBe(false)
    expect(parseTrustProxy('1')).toBe(1)
    expect(parseTrustProxy('loopback, 10.0.0.0/8, 2001:db8::1')).toEqual(['loopback', '10.0.0.0/8', '2001:db8::1'])
    for (const bad of ['true', 'yes', '10.0.0.0/33', 'proxy.example', '1.2.3.4/8/1']) expect(parseTrustProxy(bad), bad).toBeNull()
  })

  async function clientAddressSeen(trust: false | number | string[], forwardedFor: string): Promise<string> {
    const app = createServerApp({ env: { PUBLIC_ORIGIN: undefined, TRUST_PROXY: trust }, handler: (req, res) => void res.type('text/plain').send(req.ip ?? '') })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    try {
      return await new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/x', headers: { 'X-Forwarded-For': forwardedFor } }, (res) => {
            let text = ''
            res.on('data', (d: Buffer) => (text += d.toString()))
            res.on('end', () => resolve(text))
          })
          .on('error', reject)
      })
    } finally {
      server.close()
    }
  }

  it('ignores X-Forwarded-For by default, and believes it only through the named proxies', async () => {
    expect(await clientAddressSeen(false, '203.0.113.9')).toMatch(/127\.0\.0\.1$/)
    expect(await clientAddressSeen(['loopback'], '203.0.113.9')).toBe('203.0.113.9')
    expect(await clientAddressSeen(1, '198.51.100.1, 203.0.113.9')).toBe('203.0.113.9')
    expect(await clientAddressSeen(['10.0.0.0/8'], '203.0.113.9')).toMatch(/127\.0\.0\.1$/)
  })
})
