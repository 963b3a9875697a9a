/**
 * Route parameters checked before they reach a query. A malformed id is simply "not found": it must never
 * reach PostgreSQL as an invalid uuid or a NUL byte, which would surface as a 500 (PRODUCT.md §5, hostile
 * input; tests/integration/security-route-fuzz.test.ts).
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value)
}

/** Text safe to compare in SQL: not empty, not over `max`, no control characters, well-formed UTF-16. */
export function isSafeParam(value: unknown, max = 200): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || !value.isWellFormed()) return false
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return false
  }
  return true
}

function notFound(what: string): Response {
  return new Response(`${what} not found`, {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  })
}

/** A uuid route parameter, or a thrown 404. */
export function idParam(params: Record<string, string | undefined>, name: string, what = 'Page'): string {
  const value = params[name]
  if (!isUuid(value)) throw notFound(what)
  return value
}

/** A slug or token route parameter, or a thrown 404. */
export function textParam(params: Record<string, string | undefined>, name: string, what = 'Page'): string {
  const value = params[name]
  if (!isSafeParam(value)) throw notFound(what)
  return value
}
