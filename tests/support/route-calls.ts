/*
 * Calling route modules directly in integration tests: a thrown Response (redirect, 404) becomes the result, and
 * Remix's `data()` results are read for their status and payload.
 */

export const form = (values: Record<string, string>) => new URLSearchParams(values)

/** The `name=value` part of a Set-Cookie header. */
export const cookieOf = (setCookie: string | null) => setCookie?.split(';')[0] ?? ''

export async function call<T>(fn: () => Promise<T>): Promise<Response | T> {
  try {
    return await fn()
  } catch (thrown) {
    if (thrown instanceof Response) return thrown
    throw thrown
  }
}

export function statusOf(result: unknown): number {
  if (result instanceof Response) return result.status
  if (result && typeof result === 'object' && (result as { type?: string }).type === 'DataWithResponseInit') return (result as { init: ResponseInit | null }).init?.status ?? 200
  return 200
}

export function dataOf<T = Record<string, unknown>>(result: unknown): T {
  if (result && typeof result === 'object' && (result as { type?: string }).type === 'DataWithResponseInit') return (result as { data: T }).data
  return result as T
}

export const locationOf = (result: unknown) => (result instanceof Response ? result.headers.get('Location') : null)
