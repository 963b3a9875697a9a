import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../support/server.ts'
import { createTenant, prepareServerDatabase, type Tenant } from '../support/security-fixtures.ts'
import { nextTotpCode } from '../support/sign-in.ts'

/*
 * The production server over real HTTP (server/start.ts, as `npm start` runs it): security headers per route
 * class, CSP nonces, the CSRF Origin check, cookies, rotation and revocation, the login rate limit, roles and
 * tenant scoping as a browser would meet them. Needs `npx remix vite:build` first.
 */
let server: TestServer
let a: Tenant
let b: Tenant
let dir: string
let drop: () => Promise<void> = async () => undefined

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'cse-sec-http-'))
  const prepared = await prepareServerDatabase(path.join(dir, 'pglite'), async (db) => ({
    a: await createTenant(db, 'Alpha'),
    b: await createTenant(db, 'Bravo'),
  }))
  ;({ a, b } = prepared.result)
  drop = prepared.drop
  server = await startTestServer({ ...prepared.serverOptions, env: { SEED_DEMO: 'false' } })
})

afterAll(async () => {
  await server?.stop()
  await drop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const cookiePair = (res: Response) => res.headers.get('set-cookie')?.split(';')[0] ?? ''

async function signIn(email: string, password: string, extraCookie = ''): Promise<Response> {
  const res = await fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded', ...(extraCookie ? { Cookie: extraCookie } : {}) },
    body: new URLSearchParams({ email, password, redirectTo: '/app' }),
  })
  // Admins sign in with two factors: send the code step too (tests/support/sign-in.ts).
  const secret = [a, b].flatMap((t) => Object.values(t.users)).find((u) => u.email === email)?.totpSecret
  if (!secret || res.headers.get('location') !== '/login/two-factor') return res
  return fetch(`${server.url}/login/two-factor`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookiePair(res) },
    body: new URLSearchParams({ code: await nextTotpCode(secret) }),
  })
}

function nonceOf(csp: string): string {
  const match = csp.match(/script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/)
  if (!match) throw new Error(`no nonce in ${csp}`)
  return match[1]!
}

const EXPECTED_CSP = [
  "default-src 'self'",
  "script-src 'self' 'nonce-NONCE'",
  "style-src 'self' 'nonce-NONCE'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

function headerSnapshot(res: Response): Record<string, string | null> {
  const csp = res.headers.get('content-security-policy')
  return {
    'content-security-policy': csp ? csp.replaceAll(nonceOf(csp), 'NONCE') : null,
    'strict-transport-security': res.headers.get('strict-transport-security'),
    'x-content-type-options': res.headers.get('x-content-type-options'),
    'referrer-policy': res.headers.get('referrer-policy'),
    'x-frame-options': res.headers.get('x-frame-options'),
    'cross-origin-opener-policy': res.headers.get('cross-origin-opener-policy'),
    'permissions-policy': res.headers.get('permissions-policy'),
    'cache-control': res.headers.get('cache-control'),
    'x-powered-by': res.headers.get('x-powered-by'),
  }
}

const COMMON = {
  'content-security-policy': EXPECTED_CSP,
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
  'x-powered-by': null,
}

describe('security headers: one snapshot per route class', () => {
  it('has the same policy on every class, with no-store on staff and sign-in pages', async () => {
    const staff = cookiePair(await signIn(a.users.admin.email, a.users.admin.password))
    const classes: Array<{ name: string; path: string; cookie?: string; status: number; cache: string | null | RegExp }> = [
      { name: 'home', path: '/', status: 302, cache: null },
      { name: 'sign-in', path: '/login', status: 200, cache: 'private, no-store' },
      { name: 'respondent page', path: `/s/${a.surveySlug}`, status: 200, cache: null },
      { name: 'public API', path: `/api/v1/surveys/${a.surveySlug}`, status: 200, cache: /.*/ },
      { name: 'staff page', path: '/app', cookie: staff, status: 200, cache: 'private, no-store' },
      { name: 'staff admin page', path: '/app/settings/users', cookie: staff, status: 200, cache: 'private, no-store' },
      { name: 'staff 404', path: `/app/surveys/${b.surveyId}/distribute`, cookie: staff, status: 404, cache: 'private, no-store' },
      { name: 'invitation (bad token)', path: '/invite/not-a-real-token', status: 404, cache: null },
      { name: 'health', path: '/healthz', status: 200, cache: /.*/ },
      { name: 'unknown page', path: '/no-such-page', status: 404, cache: null },
    ]
    for (const c of classes) {
      const res = await fetch(`${server.url}${c.path}`, { redirect: 'manual', headers: c.cookie ? { Cookie: c.cookie } : {} })
      expect(res.status, c.name).toBe(c.status)
      const { 'cache-control': cache, ...rest } = headerSnapshot(res)
      expect(rest, c.name).toEqual(COMMON)
      if (c.cache instanceof RegExp) expect(cache ?? '', c.name).toMatch(c.cache)
      else if (c.cache) expect(cache, c.name).toBe(c.cache)
      else expect(cache ?? '', c.name).not.toMatch(/public/)
    }
  })

  it('uses a fresh nonce per response, and every inline and module script carries it', async () => {
    const first = await fetch(`${server.url}/s/${a.surveySlug}`)
    const second = await fetch(`${server.url}/s/${a.surveySlug}`)
    const n1 = nonceOf(first.headers.get('content-security-policy')!)
    const n2 = nonceOf(second.headers.get('content-security-policy')!)
    expect(n1).not.toBe(n2)
    expect(Buffer.from(n1, 'base64').length).toBeGreaterThanOrEqual(16)
    const html = await first.text()
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])
    expect(scripts.length).toBeGreaterThan(0)
    for (const tag of scripts) expect(tag, tag).toContain(`nonce="${n1}"`)
    for (const tag of [...html.matchAll(/<style\b[^>]*>/g)].map((m) => m[0])) expect(tag).toContain(`nonce="${n1}"`)
  })
})

describe('CSRF: the Origin check and no writes on GET', () => {
  it('refuses a cross-origin POST with 403, before it reaches the app', async () => {
    const staff = cookiePair(await signIn(a.users.admin.email, a.users.admin.password))
    for (const [target, body] of [
      ['/login', { email: a.users.admin.email, password: a.users.admin.password }],
      ['/logout', {}],
      ['/app/settings/users', { intent: 'invite', email: 'csrf-victim@example.test', role: 'admin' }],
      [`/s/${a.surveySlug}`, { overall: '5' }],
    ] as const) {
      for (const headers of [{ Origin: 'https://evil.example' }, { Origin: 'null' }, { 'Sec-Fetch-Site': 'cross-site' }] as Array<Record<string, string>>) {
        const res = await fetch(`${server.url}${target}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { ...headers, Cookie: staff, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(body),
        })
        expect(res.status, `${target} ${JSON.stringify(headers)}`).toBe(403)
      }
    }
    const users = await (await fetch(`${server.url}/app/settings/users`, { headers: { Cookie: staff } })).text()
    expect(users).not.toContain('csrf-victim@example.test')
    // The session survived (the forged logout did nothing) and a same-origin POST is accepted.
    const same = await fetch(`${server.url}/app/settings/users`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: server.url, Cookie: staff, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ intent: 'invite', email: 'same-origin@example.test', role: 'viewer' }),
    })
    expect(same.status).toBe(200)
  })

  it('does not sign out on GET /logout', async () => {
    const staff = cookiePair(await signIn(a.users.viewer.email, a.users.viewer.password))
    await fetch(`${server.url}/logout`, { redirect: 'manual', headers: { Cookie: staff } })
    expect((await fetch(`${server.url}/app`, { redirect: 'manual', headers: { Cookie: staff } })).status).toBe(200)
  })
})

describe('sessions over HTTP', () => {
  it('issues a __Host- Secure HttpOnly SameSite=Lax cookie, rotates it at login and revokes it at logout', async () => {
    const planted = '__Host-cse_session=planted-by-an-attacker-000000000000000000000'
    const res = await signIn(a.users.analyst.email, a.users.analyst.password, planted)
    expect(res.status).toBe(302)
    const setCookie = res.headers.get('set-cookie')!
    expect(setCookie).toMatch(/^__Host-cse_session=[A-Za-z0-9_-]{43};/)
    expect(setCookie).toMatch(/; Path=\//)
    expect(setCookie).toMatch(/; HttpOnly/)
    expect(setCookie).toMatch(/; Secure/)
    expect(setCookie).toMatch(/; SameSite=Lax/)
    expect(setCookie).not.toMatch(/Domain=/i)
    const cookie = cookiePair(res)
    expect(cookie).not.toBe(planted)
    expect((await fetch(`${server.url}/app`, { redirect: 'manual', headers: { Cookie: planted } })).status).toBe(302)
    expect((await fetch(`${server.url}/app`, { redirect: 'manual', headers: { Cookie: cookie } })).status).toBe(200)
    const out = await fetch(`${server.url}/logout`, { method: 'POST', redirect: 'manual', headers: { Origin: server.url, Cookie: cookie } })
    expect(out.status).toBe(302)
    const after = await fetch(`${server.url}/app`, { redirect: 'manual', headers: { Cookie: cookie } })
    expect(after.status).toBe(302)
    expect(after.headers.get('location')).toMatch(/^\/login/)
  })

  it('answers 429 with Retry-After after 10 failed sign-ins for one account', async () => {
    const statuses: number[] = []
    let last: Response | undefined
    for (let i = 0; i < 11; i++) {
      last = await signIn('nobody-at-all@example.test', `not-the-password-${i}`)
      statuses.push(last.status)
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401))
    expect(statuses[10]).toBe(429)
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})

describe('roles and tenants over HTTP', () => {
  it('lets only admins manage users; analysts and viewers get 403', async () => {
    for (const role of ['viewer', 'analyst', 'admin'] as const) {
      const cookie = cookiePair(await signIn(b.users[role].email, b.users[role].password))
      const page = await fetch(`${server.url}/app/settings/users`, { headers: { Cookie: cookie } })
      expect(page.status, role).toBe(role === 'admin' ? 200 : 403)
      const invite = await fetch(`${server.url}/app/settings/users`, {
        method: 'POST',
        headers: { Origin: server.url, Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ intent: 'invite', email: `by-${role}@example.test`, role: 'admin' }),
      })
      expect(invite.status, role).toBe(role === 'admin' ? 200 : 403)
      const audit = await fetch(`${server.url}/app/audit`, { headers: { Cookie: cookie } })
      expect(audit.status, role).toBe(role === 'admin' ? 200 : 403)
    }
  })

  it('shows organisation B nothing of organisation A, and A’s ids give 404', async () => {
    const cookie = cookiePair(await signIn(b.users.admin.email, b.users.admin.password))
    const list = await (await fetch(`${server.url}/app`, { headers: { Cookie: cookie } })).text()
    expect(list).toContain(b.surveyTitle)
    for (const secret of a.secrets) expect(list).not.toContain(secret)
    const data = await fetch(`${server.url}/app?_data=routes%2Fapp._index`, { headers: { Cookie: cookie } })
    expect(data.status).toBe(200)
    const json = await data.text()
    for (const secret of a.secrets) expect(json).not.toContain(secret)
    for (const sub of ['distribute', 'invitations']) {
      const res = await fetch(`${server.url}/app/surveys/${a.surveyId}/${sub}`, { headers: { Cookie: cookie } })
      expect(res.status, sub).toBe(404)
      const own = await fetch(`${server.url}/app/surveys/${b.surveyId}/${sub}`, { headers: { Cookie: cookie } })
      expect(own.status, `${sub} control`).toBe(200)
    }
  })
})
