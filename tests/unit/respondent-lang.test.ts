import { describe, expect, it } from 'vitest'
import { acceptLanguageLang, LANG_COOKIE, preferredLang, rememberLangFromUrl } from '#app/services/respondent-lang.server.ts'

/** The respondent's language for pages without data of their own (app/services/respondent-lang.server.ts). */
describe('the language a respondent chose', () => {
  it('reads Accept-Language: Welsh only when cy ranks above English', () => {
    expect(acceptLanguageLang('cy')).toBe('cy')
    expect(acceptLanguageLang('cy-GB,cy;q=0.9,en-GB;q=0.8,en;q=0.7')).toBe('cy')
    expect(acceptLanguageLang('en-GB,en;q=0.9,cy;q=0.8')).toBeNull()
    expect(acceptLanguageLang('en;q=0.5, cy;q=0.8')).toBe('cy')
    expect(acceptLanguageLang('fr, cy;q=0.3')).toBe('cy')
    expect(acceptLanguageLang('cy;q=0')).toBeNull()
    expect(acceptLanguageLang('en, cy')).toBeNull()
    expect(acceptLanguageLang('cymraeg')).toBeNull()
    expect(acceptLanguageLang(null)).toBeNull()
    expect(acceptLanguageLang(`${'x,'.repeat(600)}cy`)).toBeNull()
  })

  it('prefers the address, then the cookie, then Accept-Language, else English', () => {
    const req = (url: string, headers: Record<string, string> = {}) => new Request(`http://localhost${url}`, { headers })
    expect(preferredLang(req('/s/x'))).toBe('en')
    expect(preferredLang(req('/s/x', { 'Accept-Language': 'cy' }))).toBe('cy')
    expect(preferredLang(req('/s/x', { 'Accept-Language': 'cy', Cookie: `${LANG_COOKIE}=en` }))).toBe('en')
    expect(preferredLang(req('/s/x', { Cookie: `other=1; ${LANG_COOKIE}=cy` }))).toBe('cy')
    expect(preferredLang(req('/s/x', { Cookie: `${LANG_COOKIE}=fr` }))).toBe('en')
    expect(preferredLang(req('/s/x?lang=en', { Cookie: `${LANG_COOKIE}=cy` }))).toBe('en')
  })

  it('remembers a language chosen in the address, and only then', () => {
    const set = (url: string, cookie?: string) =>
      rememberLangFromUrl(new Request(`http://localhost${url}`, { headers: cookie ? { Cookie: cookie } : {} })).get('Set-Cookie')
    expect(set('/s/x?lang=cy')).toMatch(new RegExp(`^${LANG_COOKIE}=cy; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=\\d+$`))
    expect(set('/s/x?lang=en', `${LANG_COOKIE}=cy`)).toMatch(/=en;/)
    expect(set('/s/x?lang=cy', `${LANG_COOKIE}=cy`)).toBeNull()
    expect(set('/s/x?lang=fr')).toBeNull()
    expect(set('/s/x')).toBeNull()
  })
})
