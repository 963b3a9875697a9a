import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres'
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'
import * as schema from './schema.ts'

export type Schema = typeof schema
/** The Drizzle database, whichever driver is underneath. Query functions take this type. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>

export interface DatabaseHandle {
  db: Database
  driver: 'postgres' | 'pglite'
  /** Apply committed migrations from db/migrations. Safe to call on every start. */
  migrate(): Promise<void>
  close(): Promise<void>
}

export interface OpenDatabaseOptions {
  /** postgres://… uses node-postgres; absent uses embedded PGlite. */
  url?: string
  /** PGlite data directory; `memory://` for an in-memory database (tests). */
  pgliteDir?: string
  /**
   * PGlite only: start from this data directory image (a tarball from PGlite's dumpDataDir) instead of running
   * initdb. The tests use it to open an already-migrated database in a fraction of the time
   * (tests/support/pglite-template.ts).
   */
  loadDataDir?: Blob
  /** Pool size for node-postgres. */
  poolMax?: number
  /** Called with pool errors (idle client lost, server restart) instead of crashing the process. */
  onPoolError?: (error: Error) => void
}

export const MIGRATIONS_FOLDER = path.resolve(process.cwd(), 'db/migrations')

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // No JIT compilation. Our heaviest statements (the dashboard's scans, export batches) finish in about a
      // second or less, and JIT only added compile time: 150-180 ms per 2,000-row microdata batch, whose wide
      // CASE lists cost over jit_above_cost, and 40-85 ms on the 1M-response scans with no faster execution
      // (docs/benchmarks.md). A DATABASE_URL that sets `options` itself takes precedence.
      options: '-c jit=off',
    })
    // An idle client whose server went away emits 'error' on the pool; without a handler Node would crash.
    pool.on('error', (error) => options.onPoolError?.(error))
    // A client checked out of the pool (e.g. inside a transaction, between two statements) also emits 'error'
    // when the server terminates it (57P01 on restart); the pool only listens while the client is idle, and an
    // unheard 'error' event kills Node. The query in flight still rejects, so callers answer 503.
    pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)))
    const db = drizzleNodePg(pool, { schema }) as unknown as Database
    return {
      db,
      driver: 'postgres',
      migrate: () => migrateNodePg(db as never, { migrationsFolder: MIGRATIONS_FOLDER }),
      close: () => pool.end(),
    }
  }
  // Loaded only when used: on PostgreSQL the embedded engine's modules would cost the process about 60 MB of
  // resident memory for nothing (the microdata export's memory budget is 200 MB, docs/benchmarks.md).
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ])
  const dir = options.pgliteDir ?? path.resolve(process.cwd(), 'data/pglite')
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true })
  const client = new PGlite(dir, options.loadDataDir ? { loadDataDir: options.loadDataDir } : {})
  await client.waitReady
  const db = drizzlePglite(client, { schema }) as unknown as Database
  return {
    db,
    driver: 'pglite',
    migrate: () => migratePglite(db as never, { migrationsFolder: MIGRATIONS_FOLDER }),
    close: () => client.close(),
  }
}

/** Rows of a raw `db.execute(sql…)`, the same shape under both drivers. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows
}

/** True when an error means the database cannot be reached right now (restart, network), so callers can
 * answer 503 with Retry-After instead of 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>()
  let current: unknown = error
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current)
    const e = current as { code?: string; message?: string; cause?: unknown }
    if (e.code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08001', '08003', '08004'].includes(e.code)) return true
    if (e.message && /Connection terminated|connection timeout|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(e.message)) return true
    current = e.cause
  }
  return false
}
