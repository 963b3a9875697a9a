import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import * as loginRoute from '#app/routes/login.tsx'
import * as twoFactorStepRoute from '#app/routes/login.two-factor.tsx'
import { parseEncryptionKey } from '#app/env.server.ts'
import {
  keyFilePath,
  openTotpSecret,
  resolveTotpKeys,
  sealTotpSecret,
  setTotpKeysForTests,
  TotpKeyMissing,
  TotpSecretUnreadable,
} from '#app/utils/totp-secret-box.server.ts'
import { newTotpSecret, resealStoredTotpSecrets } from '#app/utils/two-factor.server.ts'
import { users } from '#db/schema.ts'
import { createTestDatabase, installAsAppDatabase, type TestDatabase } from '#tests/support/database.ts'
import { createTenant, type Tenant } from '#tests/support/security-fixtures.ts'
import { call, statusOf } from '#tests/support/route-calls.ts'
import { currentStep, totpCode } from '#tests/support/two-factor.ts'

/*
 * TOTP secrets at rest (issue 12; docs/decisions/022-totp-secret-encryption.md): sealed with AES-256-GCM under a
 * key kept outside the database and bound to the user; secrets stored in plain text before this are re-sealed at
 * start-up and at their next use; the key comes from TOTP_ENCRYPTION_KEY, is required on PostgreSQL, and on PGlite
 * is made once beside the data directory.
 */

const ORIGIN = 'http://localhost'
const KEY = randomBytes(32)
const OTHER_KEY = randomBytes(32)
const USER = '11111111-1111-4111-8111-111111111111'

afterEach(() => setTotpKeysForTests())

describe('sealing', () => {
  it('round-trips, never shows the secret, and uses a fresh IV each time', () => {
    setTotpKeysForTests(KEY)
    const secret = newTotpSecret()
    const a = sealTotpSecret(USER, secret)
    const b = sealTotpSecret(USER, secret)
    expect(a).toMatch(/^enc1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+$/)
    expect(a).not.toBe(b)
    expect(a).not.toContain(secret)
    expect(openTotpSecret(USER, a)).toEqual({ secret, reseal: false })
  })

  it('refuses a value moved to another user, altered, or sealed under a key not configured, without saying what it held', () => {
    setTotpKeysForTests(KEY)
    const secret = newTotpSecret()
    const sealed = sealTotpSecret(USER, secret)
    expect(() => openTotpSecret('22222222-2222-4222-8222-222222222222', sealed)).toThrow(TotpSecretUnreadable)
    const body = sealed.split('.')[2]!
    const flipped = Buffer.from(body, 'base64url')
    flipped[20]! ^= 1
    expect(() => openTotpSecret(USER, `enc1.${sealed.split('.')[1]}.${flipped.toString('base64url')}`)).toThrow(TotpSecretUnreadable)
    expect(() => openTotpSecret(USER, 'enc1.nonsense')).toThrow(TotpSecretUnreadable)
    setTotpKeysForTests(OTHER_KEY)
    try {
      openTotpSecret(USER, sealed)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(TotpSecretUnreadable)
      expect(String((error as Error).message)).not.toContain(secret)
      expect(String((error as Error).message)).not.toContain(KEY.toString('base64'))
    }
  })

  it('reads the previous key after a rotation, and a plain secret from before encryption, and asks to re-seal both', () => {
    setTotpKeysForTests(KEY)
    const secret = newTotpSecret()
    const underOld = sealTotpSecret(USER, secret)
    setTotpKeysForTests(OTHER_KEY, KEY)
    expect(openTotpSecret(USER, underOld)).toEqual({ secret, reseal: true })
    expect(openTotpSecret(USER, secret)).toEqual({ secret, reseal: true })
  })
})

describe('the key', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cse-totp-key-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('is required on PostgreSQL', () => {
    expect(() => resolveTotpKeys({ DATABASE_URL: 'postgres://db.example/cse', PGLITE_DIR: path.join(dir, 'pglite') })).toThrow(TotpKeyMissing)
  })

  it('on PGlite without one, is made once beside the data directory (not in it), readable by its owner only', () => {
    const pgliteDir = path.join(dir, 'pglite')
    const first = resolveTotpKeys({ PGLITE_DIR: pgliteDir })
    const file = keyFilePath(pgliteDir)
    expect(path.dirname(file)).toBe(dir)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const second = resolveTotpKeys({ PGLITE_DIR: pgliteDir })
    expect(second.current.bytes.equals(first.current.bytes)).toBe(true)
    expect(parseEncryptionKey(readFileSync(file, 'utf8'))!.equals(first.current.bytes)).toBe(true)
  })

  it('TOTP_ENCRYPTION_KEY wins, and must be 32 bytes as base64 or hex', () => {
    expect(resolveTotpKeys({ TOTP_ENCRYPTION_KEY: KEY, DATABASE_URL: 'postgres://db.example/cse', PGLITE_DIR: '' }).current.bytes.equals(KEY)).toBe(true)
    expect(parseEncryptionKey(KEY.toString('base64'))!.equals(KEY)).toBe(true)
    expect(parseEncryptionKey(KEY.toString('base64url'))!.equals(KEY)).toBe(true)
    expect(parseEncryptionKey(KEY.toString('hex'))!.equals(KEY)).toBe(true)
    expect(parseEncryptionKey(randomBytes(16).toString('base64'))).toBeNull()
    expect(parseEncryptionKey('correct horse battery staple')).toBeNull()
  })
})

describe('secrets stored before encryption', () => {
  let test: TestDatabase
  let tenant: Tenant
  beforeAll(async () => {
    test = await createTestDatabase()
    installAsAppDatabase(test)
    tenant = await createTenant(test.db, 'Legacy')
  })
  afterAll(async () => {
    await test?.close()
  })
  const storedOf = async (id: string) => (await test.db.select({ s: users.totpSecret }).from(users).where(eq(users.id, id)))[0]!.s

  it('are sealed by the start-up pass, and still give working codes', async () => {
    const secret = newTotpSecret()
    const user = tenant.users.viewer
    await test.db.update(users).set({ totpSecret: secret, totpEnabledAt: new Date() }).where(eq(users.id, user.id))
    const { resealed, unreadable } = await resealStoredTotpSecrets(test.db)
    expect(resealed).toBeGreaterThanOrEqual(1)
    expect(unreadable).toBe(0)
    const stored = (await storedOf(user.id))!
    expect(stored.startsWith('enc1.')).toBe(true)
    expect(stored).not.toContain(secret)
    // A second pass has nothing left to do for it.
    expect(await storedOf(user.id)).toBe(stored)
    await resealStoredTotpSecrets(test.db)
    expect(await storedOf(user.id)).toBe(stored)
    const signIn = (await loginRoute.action({ request: post('/login', { email: user.email, password: user.password }), params: {}, context: {} })) as Response
    expect(signIn.headers.get('Location')).toBe('/login/two-factor')
    const step = await call(() => twoFactorStepRoute.action({ request: post('/login/two-factor', { code: totpCode(secret, currentStep()) }, signIn.headers.get('Set-Cookie')!.split(';')[0]!), params: {}, context: {} }))
    expect(statusOf(step)).toBe(302)
  })

  it('are sealed at their first use when the start-up pass has not run', async () => {
    const secret = newTotpSecret()
    const user = tenant.users.analyst
    await test.db.update(users).set({ totpSecret: secret, totpEnabledAt: new Date() }).where(eq(users.id, user.id))
    const signIn = (await loginRoute.action({ request: post('/login', { email: user.email, password: user.password }), params: {}, context: {} })) as Response
    const step = await call(() => twoFactorStepRoute.action({ request: post('/login/two-factor', { code: totpCode(secret, currentStep()) }, signIn.headers.get('Set-Cookie')!.split(';')[0]!), params: {}, context: {} }))
    expect(statusOf(step)).toBe(302)
    const stored = (await storedOf(user.id))!
    expect(stored.startsWith('enc1.')).toBe(true)
    expect(openTotpSecret(user.id, stored).secret).toBe(secret)
  })
})

function post(pathname: string, values: Record<string, string>, cookie = ''): Request {
  return new Request(`${ORIGIN}${pathname}`, {
    method: 'POST',
    headers: { Cookie: cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(values),
  })
}
