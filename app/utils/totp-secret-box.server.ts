import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { getEnv, parseEncryptionKey } from '#app/env.server.ts'

/*
 * TOTP secrets at rest (docs/decisions/022-totp-secret-encryption.md): the server must read a secret to check a
 * code, so it cannot be hashed; it is sealed with AES-256-GCM under a key kept outside the database, bound to its
 * user (the user id is the additional authenticated data, so a sealed value copied onto another account does not
 * open). Stored form: `enc1.<key id>.<base64url of 12-byte IV, ciphertext, 16-byte tag>`. A plain base32 secret
 * (stored before this existed) is still read, and re-sealed by `npm start` and at its next use.
 *
 * The key: TOTP_ENCRYPTION_KEY (app/env.server.ts); with none, on embedded PGlite only, 32 random bytes made once
 * and kept in a file beside the data directory (`<PGLITE_DIR>.totp-key`, mode 0600), so a copy of the data
 * directory alone does not carry it. On PostgreSQL the key must be set: instances must share it.
 * Neither the key nor a secret is ever logged or put in an error message.
 */

const PREFIX = 'enc1'
const LEGACY_PLAIN = /^[A-Z2-7]{16,128}$/

export class TotpKeyMissing extends Error {
  constructor() {
    super('TOTP_ENCRYPTION_KEY must be set when DATABASE_URL is: 32 random bytes as base64 (openssl rand -base64 32), the same on every instance')
    this.name = 'TotpKeyMissing'
  }
}

export class TotpSecretUnreadable extends Error {
  constructor() {
    super('A stored two-factor secret cannot be decrypted with TOTP_ENCRYPTION_KEY or TOTP_ENCRYPTION_KEY_PREVIOUS')
    this.name = 'TotpSecretUnreadable'
  }
}

interface Key {
  id: string
  bytes: Buffer
}

const keyId = (bytes: Buffer) => createHash('sha256').update('cse-insight totp key id\0').update(bytes).digest('base64url').slice(0, 8)

/** The key file used on PGlite when no key is configured. */
export function keyFilePath(pgliteDir: string): string {
  return `${path.resolve(pgliteDir || 'data/pglite')}.totp-key`
}

/** Read the key file, or make it once; two processes starting together agree (link() fails when it exists). */
function readOrCreateKeyFile(file: string): Buffer {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true })
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`
    writeFileSync(temp, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 })
    try {
      linkSync(temp, file)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    } finally {
      unlinkSync(temp)
    }
  }
  const key = parseEncryptionKey(readFileSync(file, 'utf8'))
  if (!key) throw new Error(`The two-factor key file ${file} is not a 32-byte base64 key`)
  return key
}

interface Keys {
  current: Key
  previous: Key | null
}

const asKey = (bytes: Buffer): Key => ({ id: keyId(bytes), bytes })

/** The keys this environment gives: the configured key, else (PGlite only) the key file, made once. */
export function resolveTotpKeys(env: {
  TOTP_ENCRYPTION_KEY?: Buffer
  TOTP_ENCRYPTION_KEY_PREVIOUS?: Buffer
  DATABASE_URL?: string
  PGLITE_DIR: string
}): Keys {
  let bytes = env.TOTP_ENCRYPTION_KEY
  if (!bytes) {
    if (env.DATABASE_URL) throw new TotpKeyMissing()
    bytes = readOrCreateKeyFile(keyFilePath(env.PGLITE_DIR))
  }
  return { current: asKey(bytes), previous: env.TOTP_ENCRYPTION_KEY_PREVIOUS ? asKey(env.TOTP_ENCRYPTION_KEY_PREVIOUS) : null }
}

let cached: Keys | undefined
const keys = (): Keys => (cached ??= resolveTotpKeys(getEnv()))

/** Resolve the key now (server start-up), so a missing key stops the start with a clear message. */
export function loadTotpKey(): void {
  keys()
}

const aad = (userId: string) => Buffer.from(`users.totp_secret:${userId}`, 'utf8')

/** Seal a base32 TOTP secret for storage in users.totp_secret. */
export function sealTotpSecret(userId: string, secret: string): string {
  const { current } = keys()
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', current.bytes, iv)
  cipher.setAAD(aad(userId))
  const body = Buffer.concat([iv, cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return `${PREFIX}.${current.id}.${body.toString('base64url')}`
}

/** Whether a stored value is sealed with the current key (nothing to re-seal). */
export function isSealedWithCurrentKey(stored: string): boolean {
  return stored.startsWith(`${PREFIX}.${keys().current.id}.`)
}

/**
 * The base32 secret from a stored value, and whether it should be re-sealed (stored in plain text before
 * encryption, or under the previous key). Throws TotpSecretUnreadable when no configured key opens it.
 */
export function openTotpSecret(userId: string, stored: string): { secret: string; reseal: boolean } {
  if (LEGACY_PLAIN.test(stored)) return { secret: stored, reseal: true }
  const [prefix, id, body, ...rest] = stored.split('.')
  const { current, previous } = keys()
  const key = id === current.id ? current : previous && id === previous.id ? previous : null
  if (prefix !== PREFIX || !key || !body || rest.length > 0) throw new TotpSecretUnreadable()
  const bytes = Buffer.from(body, 'base64url')
  if (bytes.length < 12 + 16 + 1) throw new TotpSecretUnreadable()
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, bytes.subarray(0, 12))
    decipher.setAAD(aad(userId))
    decipher.setAuthTag(bytes.subarray(bytes.length - 16))
    const secret = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8')
    return { secret, reseal: key !== current }
  } catch {
    throw new TotpSecretUnreadable()
  }
}

/** For tests: use these keys (raw 32 bytes), or, with none, forget them so the environment is read again. */
export function setTotpKeysForTests(current?: Buffer, previous?: Buffer): void {
  cached = current ? { current: asKey(current), previous: previous ? asKey(previous) : null } : undefined
}
