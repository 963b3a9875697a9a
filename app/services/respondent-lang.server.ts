import { langOf, type Lang } from '#app/i18n/catalogue.ts'
import { readCookie } from '#app/utils/auth.server.ts'

/**
 * The language a respondent chose, so that every public page follows it, error pages included (issue 13).
 * In order: `?lang=` in the address, the language cookie set when they chose one, then the browser's
 * Accept-Language (Welsh when it prefers `cy` to English), else English.
 *
 * The cookie holds only `en` or `cy`. It is strictly necessary for the service the respondent asked for (the
 * pages in their chosen language), so it needs no consent; the privacy notice says so
 * (app/i18n/privacy.ts, `languageCookie`).
 */

export const LANG_COOKIE = '__Host-cse_lang'
/** A year: the choice is a preference, not a session. */
const LANG_COOKIE_SECONDS = 365 * 86_400

export function langCookie(lang: Lang): string {
  return `${LANG_COOKIE}=${lang}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=${LANG_COOKIE_SECONDS}`
}

/** `?lang=en` or `?lang=cy` in the address, or null. */
export function langInUrl(request: Request): Lang | null {
  const asked = new URL(request.url).searchParams.get('lang')
  return asked === 'en' || asked === 'cy' ? asked : null
}

/** The language cookie, or null. */
function langInCookie(request: Request): Lang | null {
  const value = readCookie(request, LANG_COOKIE)
  return value === 'en' || value === 'cy' ? value : null
}

/**
 * Welsh when Accept-Language ranks `cy` (or `cy-GB`) above every English tag, else null. Quality values are
 * honoured; a malformed header counts as no preference.
 */
export function acceptLanguageLang(header: string | null): Lang | null {
  if (!header || header.length > 1000) return null
  let cy = 0
  let en = 0
  for (const [index, part] of header.split(',').slice(0, 50).entries()) {
    const [tag, ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined)
    // Earlier tags of equal quality win: a tiny tie-break by position.
    const weight = (q === undefined ? 1 : Number(q)) - index / 10_000
    const primary = tag?.trim().split('-')[0]
    if (primary === 'cy') cy = Math.max(cy, weight)
    if (primary === 'en') en = Math.max(en, weight)
  }
  return cy > 0 && cy > en ? 'cy' : null
}

/** The respondent's language without the address: the cookie, then Accept-Language. */
export function remembered(request: Request): Lang | null {
  return langInCookie(request) ?? acceptLanguageLang(request.headers.get('Accept-Language'))
}

/** The respondent's language: the address, the cookie, Accept-Language, else English. */
export function preferredLang(request: Request): Lang {
  return langInUrl(request) ?? langOf(remembered(request))
}

/** Set-Cookie headers that remember `?lang=` when the address carries one (the respondent chose it). */
export function rememberLangFromUrl(request: Request): Headers {
  const headers = new Headers()
  const chosen = langInUrl(request)
  if (chosen && chosen !== langInCookie(request)) headers.append('Set-Cookie', langCookie(chosen))
  return headers
}
