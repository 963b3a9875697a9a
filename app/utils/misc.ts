/**
 * Throw a Response when a condition fails: the shared error boundary renders it. From the Epic Stack.
 */
export function invariantResponse(
  condition: unknown,
  message: string | (() => string),
  responseInit?: ResponseInit,
): asserts condition {
  if (!condition) {
    throw new Response(typeof message === 'function' ? message() : message, {
      status: 400,
      ...responseInit,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', ...responseInit?.headers },
    })
  }
}

export function formatPercent(p: number | null | undefined, digits = 0): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '–'
  return `${(p * 100).toFixed(digits)}%`
}
