import { describe, expect, it } from 'vitest'
import { databaseTransport, parseEnv, plaintextDatabaseAllowed } from '#app/env.server.ts'

/*
 * ASVS 5.0 12.3.1 (docs/security.md): in production the app refuses to start with a plain connection to a
 * PostgreSQL server on another machine, unless DATABASE_ALLOW_PLAINTEXT=true says the network is private
 * (app/env.server.ts databaseTransport).
 */
const production = (DATABASE_URL: string, extra: Record<string, string> = {}) => ({ NODE_ENV: 'production', DATABASE_URL, ...extra })

describe('the database connection in production', () => {
  it('classes URLs as local, TLS or plain text', () => {
    expect(databaseTransport('postgres://app@127.0.0.1:5432/insight')).toBe('local')
    expect(databaseTransport('postgres://app@127.8.9.10/insight')).toBe('local')
    expect(databaseTransport('postgres://app@localhost/insight')).toBe('local')
    expect(databaseTransport('postgres://app@[::1]:5432/insight')).toBe('local')
    expect(databaseTransport('postgresql:///insight')).toBe('local')
    expect(databaseTransport('postgres://app@%2Fvar%2Frun%2Fpostgresql/insight')).toBe('local')
    expect(databaseTransport('postgres:///insight?host=/var/run/postgresql')).toBe('local')
    expect(databaseTransport('postgres://app@db.internal/insight?sslmode=verify-full')).toBe('tls')
    expect(databaseTransport('postgres://app@db.internal/insight?sslmode=verify-ca')).toBe('tls')
    expect(databaseTransport('postgres://app@db.internal/insight?sslmode=require')).toBe('tls')
    expect(databaseTransport('postgres://app@db.internal/insight?ssl=true')).toBe('tls')
    expect(databaseTransport('postgres://app@db.internal/insight')).toBe('plaintext')
    expect(databaseTransport('postgres://app@10.0.0.5/insight?sslmode=prefer')).toBe('plaintext')
    expect(databaseTransport('postgres://app@10.0.0.5/insight?sslmode=disable')).toBe('plaintext')
    expect(databaseTransport('postgres://app@10.0.0.5/insight?ssl=false')).toBe('plaintext')
    // A host parameter that points elsewhere wins over a loopback host in the URL, as in node-postgres.
    expect(databaseTransport('postgres://app@localhost/insight?host=db.example.net')).toBe('plaintext')
    // Not a loopback address, though it starts like one.
    expect(databaseTransport('postgres://app@127.0.0.1.example.net/insight')).toBe('plaintext')
  })

  it('refuses to start with a plain connection to another machine, naming the fix', () => {
    expect(() => parseEnv(production('postgres://app:secret-pw@db.internal:5432/insight'))).toThrow(
      /DATABASE_URL: in production the connection to a PostgreSQL server on another machine must use TLS\. Add \?sslmode=verify-full .*DATABASE_ALLOW_PLAINTEXT=true/,
    )
    // The URL's password is not repeated in the error.
    expect(() => parseEnv(production('postgres://app:secret-pw@db.internal:5432/insight'))).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret-pw') }))
    expect(() => parseEnv(production('postgres://app@db.internal/insight?sslmode=prefer'))).toThrow(/must use TLS/)
  })

  it('starts with TLS, on loopback or a socket, outside production, or when plain text is allowed explicitly (with a warning)', () => {
    expect(parseEnv(production('postgres://app@db.internal/insight?sslmode=verify-full')).DATABASE_URL).toContain('db.internal')
    expect(parseEnv(production('postgres://app@127.0.0.1/insight')).DATABASE_ALLOW_PLAINTEXT).toBe(false)
    expect(parseEnv({ NODE_ENV: 'development', DATABASE_URL: 'postgres://app@db.internal/insight' }).NODE_ENV).toBe('development')
    const allowed = parseEnv(production('postgres://app@db.internal/insight', { DATABASE_ALLOW_PLAINTEXT: 'true' }))
    expect(allowed.DATABASE_ALLOW_PLAINTEXT).toBe(true)
    expect(plaintextDatabaseAllowed(allowed)).toBe(true)
    // No warning where there is nothing to warn about.
    expect(plaintextDatabaseAllowed(parseEnv(production('postgres://app@db.internal/insight?sslmode=verify-full', { DATABASE_ALLOW_PLAINTEXT: 'true' })))).toBe(false)
    expect(plaintextDatabaseAllowed(parseEnv(production('postgres://app@localhost/insight', { DATABASE_ALLOW_PLAINTEXT: 'true' })))).toBe(false)
    expect(() => parseEnv(production('postgres://app@db.internal/insight', { DATABASE_ALLOW_PLAINTEXT: 'yes' }))).toThrow(/DATABASE_ALLOW_PLAINTEXT/)
  })
})
