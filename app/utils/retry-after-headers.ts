import type { HeadersFunction } from '@remix-run/node'

/**
 * A route `headers` export for the sign-in forms (login, the code step, forgot password): a limited attempt's
 * answer keeps its `Retry-After` (app/utils/sign-in-limits.server.ts), which Remix would otherwise drop from a
 * document response.
 */
export const retryAfterHeaders: HeadersFunction = ({ actionHeaders }) => {
  const headers = new Headers()
  const retryAfter = actionHeaders.get('Retry-After')
  if (retryAfter) headers.set('Retry-After', retryAfter)
  return headers
}
