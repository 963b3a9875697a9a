import { randomBytes } from 'node:crypto'

/** A fresh CSP nonce per response: 128 random bits. */
export function newNonce(): string {
  return randomBytes(16).toString('base64')
}

/**
 * Security headers for every response. Scripts run only from this origin or with this response's nonce;
 * nothing may frame the app; referrers never leak survey or invitation URLs to other sites.
 */
export function applySecurityHeaders(path: string, nonce: string, set: (name: string, value: string) => void): void {
  set(
    'Content-Security-Policy',
    [
      "default-src 'self'",
      `script-src 'self' 'nonce-${nonce}'`,
      // Style sheets only from this origin or with this response's nonce: an injected <style> cannot restyle
      // the page or read attributes through CSS selectors. Style attributes stay allowed because React renders
      // `style={…}` (the staff header, recharts, SurveyJS) as attributes on the server; they can hold
      // declarations only, not selectors, and cannot run code.
      `style-src 'self' 'nonce-${nonce}'`,
      "style-src-attr 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      "connect-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
  )
  set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains')
  set('X-Content-Type-Options', 'nosniff')
  set('Referrer-Policy', 'strict-origin-when-cross-origin')
  set('X-Frame-Options', 'DENY')
  set('Cross-Origin-Opener-Policy', 'same-origin')
  set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()')
  if (path.startsWith('/app') || path.startsWith('/login')) set('Cache-Control', 'private, no-store')
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export interface OriginCheckInput {
  method: string
  path: string
  origin: string | undefined
  secFetchSite: string | undefined
  host: string | undefined
  publicOrigin: string | undefined
}

/**
 * CSRF defence for every state-changing request: the browser's Origin must be this site. The public JSON
 * API is exempt because it carries no cookies or credentials (anyone may submit a survey response; the
 * idempotency key and rate limits govern it). Returns a refusal message, or null to let the request through.
 */
export function checkOrigin(input: OriginCheckInput): string | null {
  if (SAFE_METHODS.has(input.method.toUpperCase())) return null
  if (input.path.startsWith('/api/v1/')) return null
  if (input.origin && input.origin !== 'null') {
    let originHost: string
    try {
      originHost = new URL(input.origin).host
    } catch {
      return 'Cross-origin request refused.'
    }
    const expected = input.publicOrigin ? new URL(input.publicOrigin).host : input.host
    return originHost === expected ? null : 'Cross-origin request refused.'
  }
  if (input.origin === 'null') return 'Cross-origin request refused.'
  if (input.secFetchSite && input.secFetchSite !== 'same-origin' && input.secFetchSite !== 'none') {
    return 'Cross-origin request refused.'
  }
  return null
}
