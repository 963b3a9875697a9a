import { data } from '@remix-run/node'
import { z } from 'zod'
import type { Database } from '#db/client.ts'
import { findUserByEmail } from '#db/queries/accounts.ts'
import { PasswordHashingBusy, passwordHashingSaturated, verifyPassword } from '#db/passwords.ts'
import { auditAccount } from '#app/utils/account.server.ts'
import { consumeSignInAttempt, refundSignInAttempt } from '#app/utils/sign-in-limits.server.ts'

/*
 * Re-authentication with the current password inside a live session (ASVS 5.0 7.5.1 and 7.5.2, docs/security.md):
 * before two-factor sign-in is set up (app/routes/app.account.two-factor.server.ts, operator.two-factor.server.ts)
 * and before sessions are ended (app/routes/app.account.sessions.server.ts). It goes through what sign-in goes
 * through (app/routes/login.server.ts): the bound on concurrent hashing (db/passwords.ts) and a point from the
 * sign-in limits per account and per client (app/utils/sign-in-limits.server.ts), so a borrowed session cannot
 * guess the password faster than the login page allows. A wrong password is audited.
 */

export const CURRENT_PASSWORD_MISSING = 'Enter your current password'
export const CURRENT_PASSWORD_WRONG = 'Your current password is not right.'

export interface ReauthenticationFailure {
  ok: false
  error: string
  fieldErrors?: { currentPassword: string }
}

/** What a form that asks for the current password may answer besides its own results. */
export type WithPasswordField<T> = T | ReauthenticationFailure

const typedPassword = z.string().min(1).max(256)

export interface Reauthenticated {
  ok: true
  /** Call once the whole request has succeeded: gives back the sign-in-limit point (refundSignInAttempt). */
  refund: () => Promise<void>
}

/**
 * Check `typed` (the raw form value) against the account's password. On failure, the answer to send: 400 with a
 * field error when it is missing (no point spent) or wrong (a point spent, audited as
 * `account.reauthentication_failed` with `intent`); 429 when the limits refuse; 503 when hashing is saturated.
 */
export async function reauthenticate(
  db: Database,
  who: { userId: string; email: string; clientKey: string | undefined },
  typed: unknown,
  intent: string,
) {
  const fail = (status: number, error: string, field: boolean, headers?: HeadersInit) =>
    ({
      ok: false as const,
      response: data<ReauthenticationFailure>(
        field ? { ok: false, error, fieldErrors: { currentPassword: error } } : { ok: false, error },
        { status, headers },
      ),
    })
  const parsed = typedPassword.safeParse(typed)
  if (!parsed.success) {
    // Longer than any password the policy allows (app/utils/password-policy.ts): wrong, without hashing it.
    return typeof typed === 'string' && typed.length > 0 ? fail(400, CURRENT_PASSWORD_WRONG, true) : fail(400, CURRENT_PASSWORD_MISSING, true)
  }
  const busy = () => fail(503, 'This is busy just now. Try again in a few seconds.', false, { 'Retry-After': '5' })
  if (passwordHashingSaturated()) return busy()
  const attempt = { email: who.email, clientKey: who.clientKey }
  const wait = await consumeSignInAttempt(db, attempt)
  if (wait > 0) return fail(429, `Too many attempts. Try again in ${Math.max(1, Math.ceil(wait / 60))} minutes.`, false, { 'Retry-After': String(wait) })
  const user = await findUserByEmail(db, who.email)
  if (!user || user.id !== who.userId) throw new Response('Account not found', { status: 404 })
  let ok: boolean
  try {
    ok = await verifyPassword(user.passwordHash, parsed.data)
  } catch (error) {
    if (error instanceof PasswordHashingBusy) return busy()
    throw error
  }
  if (!ok) {
    await auditAccount(db, who.userId, 'account.reauthentication_failed', { intent })
    return fail(400, CURRENT_PASSWORD_WRONG, true)
  }
  return { ok: true as const, refund: () => refundSignInAttempt(db, attempt) } satisfies Reauthenticated
}
