import { availableParallelism } from 'node:os'
import { hash, verify } from '@node-rs/argon2'

/**
 * Password hashing with argon2id at OWASP's minimum profile: t=2 passes, m=19 MiB, p=1. The parameters are
 * stored inside the PHC string ($argon2id$v=19$m=19456,t=2,p=1$…), so they can be raised later and old hashes
 * still verify.
 *
 * At most `PASSWORD_HASH_CONCURRENCY` hashes run at once (half the cores, at least one), so a flood of sign-ins
 * cannot take every core from the public pages (issue 12, finding 4: about 60 hashes a second pushed the
 * survey page's median from 51 ms to 2,133 ms). Further callers queue; when the queue is full, or a caller
 * has waited `PASSWORD_HASH_MAX_WAIT_MS`, `PasswordHashingBusy` is thrown and sign-in answers 503. Sign-in
 * asks `passwordHashingSaturated()` first and answers 503 before touching the database.
 */
export const ARGON2_OPTIONS = { algorithm: 2 /* Algorithm.Argon2id (a const enum, not importable under isolatedModules) */, timeCost: 2, memoryCost: 19_456, parallelism: 1 } as const

export class PasswordHashingBusy extends Error {
  constructor() {
    super('Password hashing is busy: try again shortly')
    this.name = 'PasswordHashingBusy'
  }
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value)
  return Number.isInteger(n) && n > 0 ? n : fallback
}

interface HashingState {
  limits: { concurrency: number; maxQueue: number; maxWaitMs: number }
  running: number
  waiting: Array<{ start: () => void; timer: NodeJS.Timeout }>
  peak: number
}

declare global {
  // Shared by the server entry and the Remix bundle (two copies of this module), so that server/app.ts can refuse
  // a sign-in flood before Remix sees it, from the same count the routes use.
  var __csePasswordHashing: HashingState | undefined
}

const state: HashingState = (globalThis.__csePasswordHashing ??= {
  limits: {
    concurrency: positiveInt(process.env.PASSWORD_HASH_CONCURRENCY, Math.max(1, Math.floor(availableParallelism() / 2))),
    maxQueue: positiveInt(process.env.PASSWORD_HASH_MAX_QUEUE, 16),
    maxWaitMs: positiveInt(process.env.PASSWORD_HASH_MAX_WAIT_MS, 5_000),
  },
  running: 0,
  waiting: [],
  peak: 0,
})

/**
 * True when a new hash would be refused at once (every slot busy and the queue full). The server refuses sign-in
 * posts while this holds (server/app.ts) and the routes check it before any database work, so a flood beyond
 * the hashing capacity costs almost nothing per request.
 */
export function passwordHashingSaturated(): boolean {
  return state.running >= state.limits.concurrency && state.waiting.length >= state.limits.maxQueue
}

/** The peak number of hashes that ran at once since the last call (for tests). */
export function takePeakHashConcurrency(): number {
  const value = state.peak
  state.peak = state.running
  return value
}

/** For tests: change the bounds. */
export function setPasswordHashLimits(next: Partial<HashingState['limits']>): void {
  Object.assign(state.limits, next)
}

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (state.running >= state.limits.concurrency) {
    if (state.waiting.length >= state.limits.maxQueue) throw new PasswordHashingBusy()
    await new Promise<void>((resolve, reject) => {
      const entry = {
        start: () => {
          clearTimeout(entry.timer)
          resolve()
        },
        timer: setTimeout(() => {
          const index = state.waiting.indexOf(entry)
          if (index >= 0) state.waiting.splice(index, 1)
          reject(new PasswordHashingBusy())
        }, state.limits.maxWaitMs),
      }
      state.waiting.push(entry)
    })
  } else {
    state.running += 1
  }
  state.peak = Math.max(state.peak, state.running)
  try {
    return await work()
  } finally {
    // Hand the slot straight to the next caller, or give it back.
    const next = state.waiting.shift()
    if (next) next.start()
    else state.running -= 1
  }
}

export function hashPassword(password: string): Promise<string> {
  return withHashSlot(() => hash(password, ARGON2_OPTIONS))
}

/** True when `password` matches; false when it does not or the hash is unreadable. Throws PasswordHashingBusy. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return withHashSlot(async () => {
    try {
      return await verify(passwordHash, password)
    } catch {
      return false
    }
  })
}
