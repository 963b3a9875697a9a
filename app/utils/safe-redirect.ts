/**
 * Where to send someone after sign-in: a path on this site, or `fallback`.
 *
 * Browsers normalise a Location before following it: they drop tabs and newlines anywhere in it, treat `\` as
 * `/` in http(s) URLs, and resolve `.` and `..` segments. So `/\t/evil.example`, `/\evil.example` and
 * `/.//evil.example` all become `//evil.example`, which is another site. This refuses every control character,
 * whitespace and backslash outright, resolves the rest the way a browser does (WHATWG URL) against a placeholder
 * origin, and accepts it only if it stays on that origin and its normalised path does not begin with `//`. The
 * normalised form is what is returned, so what is checked is what the browser receives.
 */
const PLACEHOLDER_ORIGIN = 'http://same-origin.invalid'

export function safeRedirect(to: unknown, fallback = '/app'): string {
  if (typeof to !== 'string' || to.length === 0 || to.length > 2048) return fallback
  // C0 controls (tab, CR, LF…), DEL, C1 controls, any Unicode whitespace, and backslashes.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u0020\u007f-\u009f\\\s]/u.test(to)) return fallback
  if (!to.startsWith('/') || to.startsWith('//')) return fallback
  let url: URL
  try {
    url = new URL(to, PLACEHOLDER_ORIGIN)
  } catch {
    return fallback
  }
  if (url.origin !== PLACEHOLDER_ORIGIN) return fallback
  const result = `${url.pathname}${url.search}${url.hash}`
  if (!result.startsWith('/') || result.startsWith('//')) return fallback
  return result
}
