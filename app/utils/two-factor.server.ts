import { createHash, randomBytes, randomInt } from 'node:crypto'
import { getTOTPAuthUri, verifyTOTP } from '@epic-web/totp'
import type { Database } from '#db/client.ts'
import { claimTotpStep, consumeRecoveryCode, listStoredTotpSecrets, replaceStoredTotpSecret } from '#db/queries/account-security.ts'
import { isSealedWithCurrentKey, openTotpSecret, sealTotpSecret, TotpSecretUnreadable } from './totp-secret-box.server.ts'

/*
 * Two-factor sign-in with TOTP (RFC 6238) through @epic-web/totp (docs/decisions/015-totp.md): SHA-1, 6 digits,
 * 30-second steps, as every authenticator app supports; one step either side is accepted for clock drift, and a
 * step once accepted is never accepted again (claimTotpStep), so an observed code cannot be replayed. Secrets
 * are 160 random bits (RFC 4226 §4 recommends 160). Recovery codes carry about 119 random bits each, so a plain
 * SHA-256 is enough to store them (ASVS 5.0 V6.5: lookup secrets of at least 112 bits need no slow hash).
 */
export const TOTP_PERIOD = 30
export const TOTP_DIGITS = 6
export const TOTP_ALGORITHM = 'SHA-1'
export const RECOVERY_CODE_COUNT = 10
const ISSUER = 'CSE Insight'

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** RFC 4648 base32 without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const byte of bytes) {
    value = (value << 8) | byte
    bits += 8
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31]
  return out
}

/** A new TOTP secret: 160 random bits, base32. */
export function newTotpSecret(): string {
  return base32Encode(randomBytes(20))
}

export function totpAuthUri(secret: string, accountName: string): string {
  return getTOTPAuthUri({ period: TOTP_PERIOD, digits: TOTP_DIGITS, algorithm: TOTP_ALGORITHM, secret, accountName, issuer: ISSUER })
}

/** The otpauth:// URI as an SVG QR code (the markup comes from the qrcode package, never from input). */
export async function totpQrSvg(secret: string, accountName: string): Promise<string> {
  // Loaded when first needed, not at server start (docs/benchmarks.md, "Server start").
  const { default: QRCode } = await import('qrcode')
  return QRCode.toString(totpAuthUri(secret, accountName), { type: 'svg', errorCorrectionLevel: 'M', margin: 2, width: 200 })
}

/** The secret in groups of four for typing into an authenticator by hand. */
export function formatSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim()
}

/** A typed code with spaces and dashes removed; null when it is not six digits. */
export function normaliseTotpCode(code: string): string | null {
  const digits = code.replace(/[\s-]/g, '')
  return /^\d{6}$/.test(digits) ? digits : null
}

/**
 * The 30-second step a code belongs to, when it is valid for `secret` now (one step of drift either way);
 * null otherwise. Does not check for reuse: see acceptTotpCode.
 */
export async function totpStepOf(secret: string, code: string, now = Date.now()): Promise<number | null> {
  const otp = normaliseTotpCode(code)
  if (!otp) return null
  const result = await verifyTOTP({ otp, secret, period: TOTP_PERIOD, digits: TOTP_DIGITS, algorithm: TOTP_ALGORITHM, window: 1 })
  if (!result) return null
  return Math.floor(now / 1000 / TOTP_PERIOD) + result.delta
}

/** Accept a TOTP code for `secret` once: valid now and of a later step than any accepted before. */
export async function acceptTotpCode(db: Database, userId: string, secret: string, code: string): Promise<boolean> {
  const step = await totpStepOf(secret, code)
  if (step === null) return false
  return claimTotpStep(db, userId, step)
}

// Recovery codes: 24 characters from 31 without look-alikes (no 0/o, 1/l/i), 24 × log2(31) ≈ 118.9 bits,
// shown in six groups of four.
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'

export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let raw = ''
    for (let i = 0; i < 24; i++) raw += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]
    return raw.replace(/(.{4})(?!$)/g, '$1-')
  })
}

/** The stored form of a recovery code: SHA-256 of the code without separators, lower-cased. */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(code.toLowerCase().replace(/[^a-z0-9]/g, '')).digest('hex')
}

export type SecondFactorKind = 'totp' | 'recovery_code'

/**
 * The base32 secret of a stored users.totp_secret (sealed: app/utils/totp-secret-box.server.ts). A value stored
 * in plain text before encryption, or under the previous key, is re-sealed with the current key on the way.
 */
export async function readTotpSecret(db: Database, userId: string, stored: string): Promise<string> {
  const { secret, reseal } = openTotpSecret(userId, stored)
  if (reseal) await replaceStoredTotpSecret(db, userId, stored, sealTotpSecret(userId, secret))
  return secret
}

/**
 * Re-seal with the current key every stored secret that is in plain text (from before encryption) or under the
 * previous key: `npm start` runs it after the migrations. Returns the counts; nothing about the secrets is logged.
 */
export async function resealStoredTotpSecrets(db: Database): Promise<{ resealed: number; unreadable: number }> {
  let resealed = 0
  let unreadable = 0
  for (const { userId, stored } of await listStoredTotpSecrets(db)) {
    if (isSealedWithCurrentKey(stored)) continue
    try {
      await readTotpSecret(db, userId, stored)
      resealed++
    } catch (error) {
      if (!(error instanceof TotpSecretUnreadable)) throw error
      unreadable++
    }
  }
  return { resealed, unreadable }
}

/**
 * Check a second factor for a user with two-factor sign-in: a six-digit code from the authenticator (each
 * step once), or else an unused recovery code (used up by this call). `storedSecret` is users.totp_secret as
 * stored (sealed). Returns which kind matched, or null.
 */
export async function verifySecondFactor(db: Database, user: { id: string; storedSecret: string }, code: string): Promise<SecondFactorKind | null> {
  const trimmed = code.trim()
  if (trimmed.length === 0 || trimmed.length > 64) return null
  if (normaliseTotpCode(trimmed)) {
    const secret = await readTotpSecret(db, user.id, user.storedSecret)
    return (await acceptTotpCode(db, user.id, secret, trimmed)) ? 'totp' : null
  }
  return (await consumeRecoveryCode(db, user.id, hashRecoveryCode(trimmed))) ? 'recovery_code' : null
}
