/**
 * A token bucket per key, in memory: each key may spend up to `burst` at once, and earns back `limit` per
 * `windowMs` continuously. A client over its budget waits only until its next token (one second at 60 a
 * minute), instead of a fixed window's rest-of-the-minute: a library or office sending many people's responses
 * from one address is slowed briefly, never locked out for a minute (issue 12, finding 4). Good for the
 * submission hot path, which must not wait on the database; behind a load balancer each instance limits on its
 * own (docs/scaling.md). Sign-in limits, which must be shared, are in PostgreSQL (sign-in-limits.server.ts).
 * Keys are hashed identifiers, never raw addresses.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  private readonly perMs: number
  private readonly burst: number
  constructor(
    limit: number,
    windowMs: number,
    burst: number = limit,
  ) {
    this.perMs = limit / windowMs
    this.burst = Math.max(1, burst)
  }

  /** Spend one token; returns the seconds to wait when none is left, else 0. */
  hit(key: string, now = Date.now()): number {
    const bucket = this.buckets.get(key)
    if (!bucket) {
      this.buckets.set(key, { tokens: this.burst - 1, at: now })
      if (this.buckets.size > 50_000) this.sweep(now)
      return 0
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) * this.perMs)
    bucket.at = now
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000))
  }

  reset(key: string): void {
    this.buckets.delete(key)
  }

  /** Forget buckets that have refilled completely: they behave exactly like a new key. */
  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * this.perMs >= this.burst) this.buckets.delete(key)
    }
  }
}
