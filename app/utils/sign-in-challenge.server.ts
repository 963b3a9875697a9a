import { randomBytes } from 'node:crypto'
import type { Database } from '#db/client.ts'
import { createSignInChallenge, findOpenSignInChallenge, type OpenSignInChallenge } from '#db/queries/account-security.ts'
import { hashToken, readCookie } from './auth.server.ts'

/**
 * The second step of sign-in. After a correct password for an account with two-factor sign-in, the browser
 * gets a `__Host-` cookie holding a 256-bit token (only its SHA-256 is stored, in sign_in_challenges) that is
 * good for CHALLENGE_MINUTES and one successful code. It is not a session: it opens nothing but the code form.
 */
export const CHALLENGE_COOKIE = '__Host-cse_2fa'
export const CHALLENGE_MINUTES = 5

export function challengeCookie(token: string, maxAgeSeconds: number): string {
  return `${CHALLENGE_COOKIE}=${token}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=${maxAgeSeconds}`
}

/** Create a challenge and return its Set-Cookie value. */
export async function startSignInChallenge(db: Database, userId: string, redirectTo: string, organisationId?: string): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  await createSignInChallenge(db, {
    tokenHash: hashToken(token),
    userId,
    redirectTo,
    organisationId: organisationId ?? null,
    expiresAt: new Date(Date.now() + CHALLENGE_MINUTES * 60_000),
  })
  return challengeCookie(token, CHALLENGE_MINUTES * 60)
}

export async function findSignInChallenge(db: Database, request: Request): Promise<OpenSignInChallenge | null> {
  const token = readCookie(request, CHALLENGE_COOKIE)
  if (!token || token.length > 100) return null
  return findOpenSignInChallenge(db, hashToken(token))
}
