import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { inject } from 'vitest'
import pg from 'pg'
import { openDatabase, type Database, type DatabaseHandle } from '#db/client.ts'

/**
 * A fresh, migrated database for one test file. With TEST_DATABASE_URL (postgres://…/postgres or any
 * database on the server) it creates a new database named cse_test_<random> and drops it afterwards; without
 * it, an in-memory PGlite. The same suites therefore run on both engines.
 */
export interface TestDatabase {
  db: Database
  handle: DatabaseHandle
  driver: 'postgres' | 'pglite'
  /** Connection string of the created PostgreSQL database (undefined on PGlite). */
  url?: string
  close(): Promise<void>
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = process.env.TEST_DATABASE_URL
  if (!admin) {
    // A copy of the database migrated once by tests/support/pglite-template.ts, when the project provides it.
    const template = pgliteTemplate()
    const handle = await openDatabase({ pgliteDir: 'memory://', loadDataDir: template })
    await handle.migrate()
    return { db: handle.db, handle, driver: 'pglite', close: () => handle.close() }
  }
  const name = `cse_test_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: admin })
  await client.connect()
  // A copy of the database migrated once by tests/support/postgres-template.ts, when the project provides it.
  const template = postgresTemplate()
  await client.query(`create database ${name}${template ? ` template ${template}` : ''}`)
  await client.end()
  const url = new URL(admin)
  url.pathname = `/${name}`
  const handle = await openDatabase({ url: url.toString(), poolMax: 20 })
  await handle.migrate()
  return {
    db: handle.db,
    handle,
    driver: 'postgres',
    url: url.toString(),
    async close() {
      await handle.close()
      const c = new pg.Client({ connectionString: admin })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}

/**
 * The name of a PostgreSQL template of this vitest project (tests/support/postgres-template.ts), if its global
 * set-up made one: migrated and empty, or with the demo seeded too.
 */
export function postgresTemplate(kind: 'migrated' | 'seeded' = 'migrated'): string | undefined {
  if (!process.env.VITEST) return undefined
  const name = inject(kind === 'seeded' ? 'postgresSeededTemplate' : 'postgresTemplate')
  return name && /^cse_template_[0-9a-f]{12}$/.test(name) ? name : undefined
}

let templateImage: Blob | undefined
function pgliteTemplate(): Blob | undefined {
  // Outside vitest (bench/import/run.ts) there is no provided image: migrate from scratch.
  if (!process.env.VITEST) return undefined
  const file = inject('pgliteTemplate')
  if (!file) return undefined
  templateImage ??= new Blob([readFileSync(file)])
  return templateImage
}

/**
 * Fill an empty PGlite directory for a process the test starts (a command-line entry point) with the migrated
 * image of tests/support/pglite-template.ts, so that process does not run initdb and every migration again
 * (about 13 s against 5 s, measured on the CI machine under load). Without the image it leaves the directory
 * empty and the process migrates it itself.
 */
export async function preparePgliteDir(dir: string): Promise<void> {
  const template = pgliteTemplate()
  if (!template) return
  const handle = await openDatabase({ pgliteDir: dir, loadDataDir: template })
  await handle.close()
}

/** Make app code that calls getDb() use this test database (the app keeps one handle per process). */
export function installAsAppDatabase(test: TestDatabase): void {
  globalThis.__cseDatabase = Promise.resolve(test.handle)
}
