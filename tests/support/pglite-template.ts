import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { PGlite } from '@electric-sql/pglite'
import { drizzle } from 'drizzle-orm/pglite'
import { migrate } from 'drizzle-orm/pglite/migrator'
import { MIGRATIONS_FOLDER } from '#db/client.ts'
import * as schema from '#db/schema.ts'

/**
 * Vitest global set-up for the `unit` project (vitest.config.ts): make one in-memory PGlite database, apply
 * every migration in db/migrations, and save its data directory as a tarball. Each test file's
 * createTestDatabase (tests/support/database.ts) then opens a copy of it instead of running PGlite's initdb
 * and the migrations again, which was most of the time of a PGlite integration file (about 4x slower when
 * measured side by side on this project's CI machine). The migrations still run here, once per `npm test`,
 * so a broken migration still fails the suite; and createTestDatabase calls migrate() on the copy, which
 * finds nothing to apply.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  // The same engine and migrator as db/client.ts openDatabase, kept open here only long enough to dump it.
  const client = new PGlite('memory://')
  await migrate(drizzle(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER })
  const image = await client.dumpDataDir('none')
  await client.close()
  const dir = mkdtempSync(path.join(tmpdir(), 'cse-pglite-template-'))
  const file = path.join(dir, 'migrated.tar')
  writeFileSync(file, Buffer.from(await image.arrayBuffer()))
  project.provide('pgliteTemplate', file)
  return () => rmSync(dir, { recursive: true, force: true })
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string
  }
}
