import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { openDatabase } from '#db/client.ts'
import { seedDemo } from '#db/seed.ts'

/**
 * Vitest global set-up for the `pg` and `browser` projects (vitest.config.ts), the PostgreSQL counterpart of
 * tests/support/pglite-template.ts: migrate one database once per run, then every test file's database is a
 * copy of it (`create database … template …`, tests/support/database.ts createTestDatabase) instead of running
 * every migration again. For the browser project the template also holds the demo organisation, survey and
 * responses (db/seed.ts seedDemo, what server/start.ts seeds on a first start), so each test server
 * (tests/support/server.ts startTestServer) starts on a seeded copy. createTestDatabase still calls migrate()
 * on the copy (it finds nothing to apply), and server start-up still runs its own migration and seed steps
 * (both find nothing to do), so a broken migration or seed still fails the run. Without TEST_DATABASE_URL
 * (a project run on PGlite) it does nothing.
 */
export function templateSetup(options: { seedDemo: boolean }) {
  return async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
    const admin = process.env.TEST_DATABASE_URL
    if (!admin) return undefined
    const made: string[] = []
    const sql = async (statement: string) => {
      const client = new pg.Client({ connectionString: admin })
      await client.connect()
      try {
        await client.query(statement)
      } finally {
        await client.end()
      }
    }
    const open = (name: string) => {
      const url = new URL(admin)
      url.pathname = `/${name}`
      return openDatabase({ url: url.toString(), poolMax: 2 })
    }
    const drop = async () => {
      for (const name of made) await sql(`drop database if exists ${name} with (force)`)
    }
    try {
      const migrated = `cse_template_${randomBytes(6).toString('hex')}`
      await sql(`create database ${migrated}`)
      made.push(migrated)
      // No connection may stay open to a template while it is copied: each handle is closed before.
      const handle = await open(migrated)
      try {
        await handle.migrate()
      } finally {
        await handle.close()
      }
      project.provide('postgresTemplate', migrated)
      if (options.seedDemo) {
        const seeded = `cse_template_${randomBytes(6).toString('hex')}`
        await sql(`create database ${seeded} template ${migrated}`)
        made.push(seeded)
        const seededHandle = await open(seeded)
        try {
          await seedDemo(seededHandle.db)
        } finally {
          await seededHandle.close()
        }
        project.provide('postgresSeededTemplate', seeded)
      }
    } catch (error) {
      await drop()
      throw error
    }
    return drop
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** migrated, empty */
    postgresTemplate: string | undefined
    /** migrated, with the demo (browser project only) */
    postgresSeededTemplate: string | undefined
  }
}
