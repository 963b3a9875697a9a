import { createHmac, randomBytes } from 'node:crypto'
import { RateLimiter } from './rate-limit.server.ts'

/**
 * Limits on response submissions (API, no-JS form, save-and-resume): one per survey, against floods aimed at
 * one survey, and one per client, against one machine filling a survey. The client key is an HMAC of the
 * address under a secret key (CLIENT_KEY_SECRET, or one made fresh at each start): a plain hash of an IPv4
 * address can be reversed by trying all 2^32, this cannot. No address reaches the database or the logs; the
 * sign-in limits store only this keyed hash (sign-in-limits.server.ts).
 */

function limitFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name])
  return Number.isFinite(value) && value > 0 ? value : fallback
}

// CLIENT_KEY_SECRET (app/env.server.ts) gives every instance the same key, so per-client sign-in limits kept in
// the database are shared; without it the key is fresh at each start.
const secret = process.env.CLIENT_KEY_SECRET
const addressKey = secret && secret.length >= 32 ? Buffer.from(secret, 'utf8') : randomBytes(32)

/** The per-client key for an address (undefined when unknown, e.g. a unit test without a socket). */
export function clientKeyFor(address: string | undefined): string | undefined {
  if (!address) return undefined
  return createHmac('sha256', addressKey).update(address).digest('base64url').slice(0, 22)
}

// 60 a minute per client, up to 60 at once: a room of people behind one address can all submit together, and a
// client past its budget waits a second for the next token, not the rest of a minute (rate-limit.server.ts).
let perClient = new RateLimiter(
  limitFromEnv('RATE_LIMIT_CLIENT_PER_MINUTE', 60),
  60_000,
  limitFromEnv('RATE_LIMIT_CLIENT_BURST', 60),
)
let perSurvey = new RateLimiter(limitFromEnv('RATE_LIMIT_SURVEY_PER_SECOND', 1_000), 1_000)

/** Seconds to wait before retrying (answer 429 with Retry-After), or 0 to go ahead. */
export function checkSubmissionLimits(slug: string, clientKey: string | undefined, now = Date.now()): number {
  const survey = perSurvey.hit(`survey:${slug}`, now)
  if (survey > 0) return survey
  return clientKey ? perClient.hit(`client:${clientKey}`, now) : 0
}

// Saves for save-and-resume come at most every few seconds from a respondent; they have their own budget.
const resumePerClient = new RateLimiter(limitFromEnv('RATE_LIMIT_RESUME_PER_MINUTE', 120), 60_000)

export function checkResumeLimits(slug: string, clientKey: string | undefined, now = Date.now()): number {
  const survey = perSurvey.hit(`survey:${slug}`, now)
  if (survey > 0) return survey
  return clientKey ? resumePerClient.hit(`resume:${clientKey}`, now) : 0
}

/** For tests: start again with these limits. */
export function resetSubmissionLimits(limits: { perClientPerMinute: number; perSurveyPerSecond: number }): void {
  perClient = new RateLimiter(limits.perClientPerMinute, 60_000)
  perSurvey = new RateLimiter(limits.perSurveyPerSecond, 1_000)
}
