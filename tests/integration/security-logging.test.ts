import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { log, logError, redactPath } from '#app/utils/logger.server.ts'

/* The logger's allow-list (PRODUCT.md §5 "Personal data in logs"): only named fields, no query strings, no tokens. */
describe('structured logging with an allow-list', () => {
  // CI runs with LOG_LEVEL=warn to keep its output short; these tests are about what an info line contains.
  beforeEach(() => vi.stubEnv('LOG_LEVEL', 'info'))
  afterEach(() => {
    vi.restoreAllMocks()
    vi.unstubAllEnvs()
  })

  function capture(run: () => void): string {
    let out = ''
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true))
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((out += String(chunk)), true))
    run()
    return out
  }

  it('drops every field that is not allow-listed, and strips query strings and invitation tokens from paths', () => {
    const out = capture(() =>
      log('info', {
        event: 'http',
        path: '/s/demo?email=someone@example.test&token=secret',
        body: 'answer text',
        email: 'someone@example.test',
        answers: { improve: 'private' },
        cookie: '__Host-cse_session=abc',
        status: 200,
      }),
    )
    const entry = JSON.parse(out) as Record<string, unknown>
    expect(entry).toMatchObject({ event: 'http', path: '/s/demo', status: 200, level: 'info' })
    expect(Object.keys(entry).sort()).toEqual(['event', 'level', 'path', 'status', 'time'])
    expect(out).not.toMatch(/someone|secret|answer text|private|abc/)
    expect(redactPath('/invite/AbC123-token_value')).toBe('/invite/:token')
    expect(redactPath('/invite/AbC123/x?y=1')).toBe('/invite/:token/x')
  })

  it('logs errors by name and code only, never their message', () => {
    const error = Object.assign(new Error('duplicate key value (email)=(someone@example.test)'), { code: '23505' })
    const out = capture(() => logError('db.failed', error))
    expect(JSON.parse(out)).toMatchObject({ event: 'db.failed', errorName: 'Error', errorCode: '23505', level: 'error' })
    expect(out).not.toContain('someone@example.test')
  })
})
