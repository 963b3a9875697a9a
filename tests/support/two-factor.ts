import { createHmac } from 'node:crypto'
import { eq } from 'drizzle-orm'
import type { Database } from '#db/client.ts'
import { users } from '#db/schema.ts'
import { newTotpSecret } from '#app/utils/two-factor.server.ts'
import { sealTotpSecret } from '#app/utils/totp-secret-box.server.ts'

/*
 * TOTP for tests, computed independently of @epic-web/totp (RFC 6238 with HMAC-SHA-1, 6 digits, 30 s), so the
 * tests check the library's answers rather than repeat them.
 */
function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = 0
  let value = 0
  const out: number[] = []
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    const index = alphabet.indexOf(ch)
    if (index < 0) throw new Error(`base32Decode: bad character ${ch}`)
    value = (value << 5) | index
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255)
      bits -= 8
    }
  }
  return Buffer.from(out)
}

export const currentStep = (now = Date.now()) => Math.floor(now / 30_000)

/** The six-digit code for `secret` at a 30-second step (default: now). */
export function totpCode(secret: string, step = currentStep()): string {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(step))
  const hmac = createHmac('sha1', base32Decode(secret)).update(counter).digest()
  const offset = hmac[hmac.length - 1]! & 15
  const binary = hmac.readUInt32BE(offset) & 0x7fffffff
  return String(binary % 1_000_000).padStart(6, '0')
}

/** Turn on two-factor sign-in for a user directly in the database (sealed, as the app stores it); returns the secret. */
export async function enrolTotpDirectly(db: Database, userId: string): Promise<string> {
  const secret = newTotpSecret()
  await db.update(users).set({ totpSecret: sealTotpSecret(userId, secret), totpEnabledAt: new Date(), totpLastStep: null }).where(eq(users.id, userId))
  return secret
}
