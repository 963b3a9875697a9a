import { isIP } from 'node:net'
import { z } from 'zod'

/** TRUST_PROXY as Express's 'trust proxy' setting, or null when it is not one this app accepts. */
export function parseTrustProxy(value: string): false | number | string[] | null {
  const text = value.trim()
  if (text === '' || text === 'false' || text === '0') return false
  if (/^\d+$/.test(text)) return Math.min(Number(text), 10)
  const entries = text.split(',').map((entry) => entry.trim())
  const valid = entries.every((entry) => {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true
    const [address, bits, ...rest] = entry.split('/')
    if (rest.length > 0 || !address || !isIP(address)) return false
    if (bits === undefined) return true
    const max = isIP(address) === 4 ? 32 : 128
    return /^\d+$/.test(bits) && Number(bits) <= max
  })
  return valid && entries.length > 0 ? entries : null
}

/** A 256-bit key as base64 (standard or URL-safe) or hex; the text never appears in an error message. */
export function parseEncryptionKey(value: string): Buffer | null {
  const text = value.trim()
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex')
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return null
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
  return bytes.length === 32 ? bytes : null
}

/** `sslmode` values with which node-postgres (and libpq) will not fall back to a plain connection. */
const TLS_SSLMODES = new Set(['require', 'verify-ca', 'verify-full'])

/**
 * How a DATABASE_URL reaches PostgreSQL: `local` (a Unix socket, or a loopback address, which never leaves the
 * machine), `tls` (the URL asks for TLS: `sslmode=require`, `verify-ca` or `verify-full`, or `ssl=true`), or
 * `plaintext` (anything else, `sslmode=prefer` included, which falls back to plain text). A `host` query
 * parameter overrides the URL's host, as node-postgres reads it (pg-connection-string).
 */
export function databaseTransport(databaseUrl: string): 'local' | 'tls' | 'plaintext' {
  let url: URL
  try {
    url = new URL(databaseUrl)
  } catch {
    return 'plaintext'
  }
  const params = url.searchParams
  const sslmode = params.get('sslmode')?.toLowerCase()
  const ssl = params.get('ssl')?.toLowerCase()
  if ((sslmode && TLS_SSLMODES.has(sslmode)) || ssl === 'true' || ssl === '1') return 'tls'
  let host = params.get('host') ?? decodeURIComponent(url.hostname)
  host = host.replace(/^\[(.*)\]$/, '$1').toLowerCase()
  if (host === '' || host.startsWith('/')) return 'local'
  if (host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'))) return 'local'
  return 'plaintext'
}

/** True when DATABASE_ALLOW_PLAINTEXT lets a production database connection go unencrypted: warn at start. */
export function plaintextDatabaseAllowed(env: Pick<Env, 'NODE_ENV' | 'DATABASE_URL' | 'DATABASE_ALLOW_PLAINTEXT'>): boolean {
  return env.NODE_ENV === 'production' && env.DATABASE_ALLOW_PLAINTEXT && env.DATABASE_URL !== undefined && databaseTransport(env.DATABASE_URL) === 'plaintext'
}

function encryptionKey(name: string) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return undefined
      const key = parseEncryptionKey(value)
      if (!key) {
        ctx.addIssue({ code: 'custom', message: `${name} must be 32 random bytes as base64 (openssl rand -base64 32) or 64 hex digits` })
        return z.NEVER
      }
      return key
    })
}

/** The environment, parsed once. Anything invalid stops start-up with a clear message. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** postgres://… to use PostgreSQL; unset to use embedded PGlite in PGLITE_DIR. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /**
   * In production, a DATABASE_URL naming another machine must ask for TLS (databaseTransport) unless this is
   * `true`, for a database reached over a private network; the start then logs a warning (ASVS 5.0 12.3.1).
   */
  DATABASE_ALLOW_PLAINTEXT: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  PGLITE_DIR: z.string().default('./data/pglite'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** Public origin, e.g. https://insight.example.gov.uk; used for absolute links and the Origin check. */
  PUBLIC_ORIGIN: z.string().url().optional(),
  /**
   * Seed the demo organisation, whose password is printed at every start (idempotent). Unset, it is on only on
   * the embedded PGlite default, so a fresh clone has data, and off when DATABASE_URL names a server: a
   * production database gets the demo only when `SEED_DEMO=true` asks for it (server/start.ts).
   */
  SEED_DEMO: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .or(z.literal('').transform(() => undefined))
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
  /**
   * Run the queue's jobs (retention purges) in the web process: on by default, and needed on embedded PGlite,
   * which one process owns. With PostgreSQL, `false` leaves them to `npm run worker` (app/services/jobs.server.ts).
   */
  JOB_WORKER: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /**
   * Which proxies in front of the app to believe about the client's address (X-Forwarded-For), for the
   * per-client limits: `false` (the default: the socket's address), a hop count such as `1`, or a comma-separated
   * list of addresses, CIDR ranges or Express's names `loopback`, `linklocal`, `uniquelocal`. `true` is refused:
   * it would let any client choose its own address.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((value, ctx) => {
      const parsed = parseTrustProxy(value)
      if (parsed === null) {
        ctx.addIssue({
          code: 'custom',
          message: 'TRUST_PROXY must be false, a hop count, or a list of addresses, CIDR ranges, loopback, linklocal or uniquelocal',
        })
        return z.NEVER
      }
      return parsed
    }),
  /** Shared by every instance so client addresses are keyed alike (app/utils/submission-limits.server.ts). */
  CLIENT_KEY_SECRET: z.string().min(32, 'CLIENT_KEY_SECRET must be at least 32 characters').optional(),
  /** Optional SMTP for invitation mail; without it the app shows the link to copy. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'SMTP_URL must start with smtp:// or smtps://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** A PEM file of extra certificate authorities for the SMTP server's certificate (app/utils/mail.server.ts). */
  SMTP_TLS_CA_FILE: z.string().optional(),
  /**
   * GOV.UK Notify for invitation e-mails to the public, instead of SMTP (docs/decisions/020-email-invitations.md):
   * the API key, and the id of an e-mail template whose subject is ((subject)) and whose body is ((body)); a
   * second template for Welsh is optional. NOTIFY_BASE_URL is for Notify's other environments.
   */
  NOTIFY_API_KEY: z
    .string()
    .regex(/^[\w.-]*-[0-9a-f-]{36}-[0-9a-f-]{36}$/, 'NOTIFY_API_KEY must be a GOV.UK Notify API key (name-service id-secret)')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  NOTIFY_TEMPLATE_ID: z.uuid('NOTIFY_TEMPLATE_ID must be a template id (a UUID)').optional(),
  NOTIFY_TEMPLATE_ID_CY: z.uuid('NOTIFY_TEMPLATE_ID_CY must be a template id (a UUID)').optional(),
  NOTIFY_BASE_URL: z.string().url().optional(),
  /**
   * The AES-256-GCM key for TOTP secrets at rest (app/utils/totp-secret-box.server.ts, docs/decisions/022-totp-secret-encryption.md):
   * 32 random bytes as base64 (`openssl rand -base64 32`) or 64 hex digits. Required with DATABASE_URL, and the
   * same on every instance; on embedded PGlite a key is made once and kept beside the data directory.
   */
  TOTP_ENCRYPTION_KEY: encryptionKey('TOTP_ENCRYPTION_KEY'),
  /** The key before a rotation: still read, never written; `npm start` re-encrypts with the new key. */
  TOTP_ENCRYPTION_KEY_PREVIOUS: encryptionKey('TOTP_ENCRYPTION_KEY_PREVIOUS'),
}).refine((env) => !env.NOTIFY_API_KEY || env.NOTIFY_TEMPLATE_ID, {
  message: 'NOTIFY_TEMPLATE_ID is needed with NOTIFY_API_KEY',
  path: ['NOTIFY_TEMPLATE_ID'],
}).refine(
  (env) => env.NODE_ENV !== 'production' || !env.DATABASE_URL || env.DATABASE_ALLOW_PLAINTEXT || databaseTransport(env.DATABASE_URL) !== 'plaintext',
  {
    message:
      'in production the connection to a PostgreSQL server on another machine must use TLS. Add ?sslmode=verify-full to ' +
      'DATABASE_URL (with &sslrootcert=/path/to/ca.pem for a private certificate authority), or set ' +
      'DATABASE_ALLOW_PLAINTEXT=true if the database is reached only over a private network',
    path: ['DATABASE_URL'],
  },
).transform((env) => ({ ...env, SEED_DEMO: env.SEED_DEMO ?? env.DATABASE_URL === undefined }))

export type Env = z.infer<typeof envSchema>

let cached: Env | undefined

/** Parse an environment without caching it; throws the start-up error (every problem, one a line) when invalid. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = envSchema.safeParse(source)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')
    throw new Error(`Invalid environment:\n${problems}`)
  }
  return parsed.data
}

export function getEnv(): Env {
  if (cached) return cached
  cached = parseEnv(process.env)
  return cached
}
