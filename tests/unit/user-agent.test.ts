import { describe, expect, it } from 'vitest'
import { summariseUserAgent } from '#app/utils/user-agent.ts'

/* The sessions page shows a coarse browser summary, never the full string (docs/security.md, staff accounts). */
describe('summariseUserAgent', () => {
  const cases: Array<[string | null, string]> = [
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox on Windows'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', 'Edge on Windows'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', 'Safari on macOS'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0 Mobile/15E148 Safari/604.1', 'Chrome on iOS'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', 'Chrome on Android'],
    ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36', 'Chrome on Linux'],
    ['curl/8.5.0', 'Other browser'],
    [null, 'Unknown browser'],
  ]
  for (const [header, expected] of cases) {
    it(`${String(header).slice(0, 40)} → ${expected}`, () => expect(summariseUserAgent(header)).toBe(expected))
  }

  it('keeps no version numbers or device names', () => {
    const summary = summariseUserAgent('Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A) AppleWebKit/537.36 Chrome/131.0.6778.39 Mobile Safari/537.36')
    expect(summary).toBe('Chrome on Android')
    expect(summary).not.toMatch(/\d|SM-/)
  })
})
