import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { safeRedirect } from '#app/utils/safe-redirect.ts'

/*
 * Issue 12, finding 2: `redirectTo=%2F%09%2Fevil.example` sent a browser off-site after sign-in, because a browser
 * drops the tab and follows `//evil.example`. Every form below must fall back to /app.
 */
const SITE = 'https://insight.example.gov.uk'

/** What a browser does with a Location value: strip tabs and newlines, then resolve against the page. */
function browserTarget(location: string): URL {
  return new URL(location.replace(/[\t\n\r]/g, ''), `${SITE}/login`)
}

const HOSTILE = [
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r\n/evil.example',
  '\t//evil.example',
  '/\\evil.example',
  '\\/evil.example',
  '\\\\evil.example',
  '/\t\\evil.example',
  '//evil.example',
  '///evil.example',
  '/.//evil.example',
  '/./\\evil.example',
  '/x/..//evil.example',
  '/%2e//evil.example',
  '/%2E%2E//evil.example',
  '/\u0000/evil.example',
  '/\u000b/evil.example',
  '/\u007f/evil.example',
  '/\u0085/evil.example',
  '/\u00a0/evil.example',
  '/\u3000/evil.example',
  ' //evil.example',
  'https://evil.example',
  'http:evil.example',
  'javascript:alert(1)',
  'evil.example',
  '',
  '/'.padEnd(3000, 'a'),
]

describe('safeRedirect', () => {
  it.each(HOSTILE)('refuses %j', (value) => {
    expect(safeRedirect(value)).toBe('/app')
  })

  it('refuses values that are not strings', () => {
    for (const value of [null, undefined, 42, {}, ['/app/surveys']]) expect(safeRedirect(value)).toBe('/app')
  })

  it('keeps same-site paths, with their query and fragment', () => {
    expect(safeRedirect('/app/surveys/123/dashboard')).toBe('/app/surveys/123/dashboard')
    expect(safeRedirect('/app/surveys?page=2#top')).toBe('/app/surveys?page=2#top')
    expect(safeRedirect('/app/%2F%2Fevil.example')).toBe('/app/%2F%2Fevil.example')
    expect(safeRedirect('/app/./audit')).toBe('/app/audit')
  })

  it('never returns a Location that a browser resolves to another origin (any string)', () => {
    const piece = fc.constantFrom('/', '\\', '\t', '\n', '\r', '.', '..', '%2F', '%5C', '%09', ':', '@', 'evil.example', 'app', '?', '#', ' ', '\u0000', 'http:', 'https:')
    fc.assert(
      fc.property(fc.oneof(fc.array(piece, { maxLength: 8 }).map((parts) => parts.join('')), fc.string({ maxLength: 40 })), (value) => {
        const location = safeRedirect(value)
        const target = browserTarget(location)
        expect(target.origin).toBe(SITE)
        expect(location.startsWith('/') && !location.startsWith('//')).toBe(true)
      }),
      { numRuns: 5000 },
    )
  })
})
