import { createHash } from 'node:crypto'
import { RateLimiterDrizzle, RateLimiterRes } from 'rate-limiter-flexible'
import type { Database } from '#db/client.ts'
import { rateLimits } from '#db/schema.ts'

/**
 * Limits on password guesses, kept in PostgreSQL (or the embedded PGlite) so that every app instance shares
 * them (docs/decisions/012-sign-in-limits.md). Every attempt that will check a password costs a point before
 * the hash runs, from two budgets at once:
 *
 * - per account (the e-mail address typed, whether or not an account has it, so the answer reveals nothing):
 *   10 per 15 minutes; a successful sign-in clears it;
 * - per client (the keyed hash of its address, from server/start.ts and TRUST_PROXY): 20 per 15 minutes,
 *   so one client cannot spray many accounts with a few guesses each; a successful sign-in gives its point
 *   back, so an office behind one address is not locked out by its own colleagues' sign-ins.
 *
 * The sign-in page and the invitation "join" form (app/routes/invite.$token.server.ts) draw on the same
 * budgets, so neither gives extra guesses while the other is refusing.
 */
export const SIGN_IN_LIMITS = {
  perAccount: { points: 10, duration: 15 * 60 },
  perClient: { points: 20, duration: 15 * 60 },
}

interface Limiters {
  db: Database
  account: RateLimiterDrizzle
  client: RateLimiterDrizzle
}
let limiters: Limiters | undefined

function limitersFor(db: Database): Limiters {
  if (limiters?.db === db) return limiters
  limiters = {
    db,
    account: new RateLimiterDrizzle({ storeClient: db, schema: rateLimits, keyPrefix: 'signin-account', ...SIGN_IN_LIMITS.perAccount }),
    client: new RateLimiterDrizzle({ storeClient: db, schema: rateLimits, keyPrefix: 'signin-client', ...SIGN_IN_LIMITS.perClient }),
  }
  return limiters
}

/** The account key: a hash of the e-mail as typed, trimmed and lower-cased. */
function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url')
}

export interface SignInAttempt {
  email: string
  /** The keyed hash of the client's address (AppLoadContext.clientKey); absent when unknown. */
  clientKey: string | undefined
  /**
   * False when no existing password is being guessed (creating an account from an invitation): only the
   * client's budget is spent.
   */
  guessesPassword?: boolean
}

/**
 * Count one attempt. Returns 0 to go ahead, or the seconds to wait (answer 429 with Retry-After) when either
 * budget is spent.
 */
export async function consumeSignInAttempt(db: Database, attempt: SignInAttempt): Promise<number> {
  const { account, client } = limitersFor(db)
  try {
    if (attempt.clientKey) await client.consume(attempt.clientKey)
    if (attempt.guessesPassword !== false) await account.consume(accountKey(attempt.email))
    return 0
  } catch (error) {
    if (error instanceof RateLimiterRes) return Math.max(1, Math.ceil(error.msBeforeNext / 1000))
    throw error
  }
}

/** After a correct password: clear the account's count and give the client its point back. */
export async function recordSignInSuccess(db: Database, attempt: SignInAttempt): Promise<void> {
  const { account, client } = limitersFor(db)
  await account.delete(accountKey(attempt.email))
  if (attempt.clientKey) await client.reward(attempt.clientKey)
}

/**
 * After a correct password typed again in a live session (re-authentication, app/services/reauthentication.server.ts):
 * give back the point it cost, without clearing earlier failures. A correct re-authentication thus neither drains
 * the budget of someone ending their sessions nor refills it for guessing second-factor codes.
 */
export async function refundSignInAttempt(db: Database, attempt: SignInAttempt): Promise<void> {
  const { account, client } = limitersFor(db)
  await account.reward(accountKey(attempt.email))
  if (attempt.clientKey) await client.reward(attempt.clientKey)
}
