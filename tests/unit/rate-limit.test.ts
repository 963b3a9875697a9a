import { describe, expect, it } from 'vitest'
import { RateLimiter } from '#app/utils/rate-limit.server.ts'

/*
 * Issue 12, finding 4: survey submission limits must not lock a whole library or office behind one address out
 * for a minute. With the fixed one-minute window, the 61st submission from one address waited up to 60 s.
 */
describe('submission rate limiter (token bucket)', () => {
  it('lets a room of people behind one address submit together, then slows it for about a second, not a minute', () => {
    const limiter = new RateLimiter(60, 60_000, 60)
    const start = 1_000_000
    for (let i = 0; i < 60; i++) expect(limiter.hit('office', start + i)).toBe(0)
    const wait = limiter.hit('office', start + 60)
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(1)
    // One second later the next person goes through.
    expect(limiter.hit('office', start + 60 + 1_000)).toBe(0)
  })

  it('still bounds a single client flooding: a sustained rate over the limit is refused', () => {
    const limiter = new RateLimiter(60, 60_000, 60)
    let accepted = 0
    // 10 attempts a second for a minute.
    for (let t = 0; t < 60_000; t += 100) if (limiter.hit('bot', t) === 0) accepted += 1
    expect(accepted).toBeLessThanOrEqual(121)
    expect(accepted).toBeGreaterThanOrEqual(118)
  })

  it('keeps keys apart, and a small limit still refuses with a Retry-After', () => {
    const limiter = new RateLimiter(3, 60_000)
    expect([0, 1, 2, 3].map(() => limiter.hit('a', 0))).toEqual([0, 0, 0, 20])
    expect(limiter.hit('b', 0)).toBe(0)
  })
})
